// SPDX-License-Identifier: Apache-2.0
#include "CedarHighlighter.h"

#include <QFont>

namespace mandate::ui {

CedarHighlighter::CedarHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    const auto words = [](const char *alternatives) {
        return QRegularExpression(QStringLiteral("\\b(?:") + QLatin1String(alternatives) + QStringLiteral(")\\b"));
    };
    // Later rules win where they overlap, so strings and comments come last.
    m_rules = {
        {Token::Effect, words("permit|forbid|when|unless")},
        {Token::Variable, words("principal|action|resource|context")},
        {Token::Operator, words("in|has|like|is|if|then|else|true|false")},
        {Token::Number, QRegularExpression(QStringLiteral("\\b\\d+\\b"))},
        {Token::EntityType, QRegularExpression(QStringLiteral("\\b[A-Za-z_]\\w*(?:::[A-Za-z_]\\w*)*(?=::\")"))},
        {Token::Extension, QRegularExpression(QStringLiteral("\\b(?:decimal|ip|datetime|duration)(?=\\s*\\()|"
                                                             "\\.\\w+(?=\\s*\\()"))},
        {Token::Annotation, QRegularExpression(QStringLiteral("@\\w+"))},
        {Token::String, QRegularExpression(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"?"))},
    };
    setDarkBackground(false);
}

void CedarHighlighter::setDarkBackground(bool dark)
{
    const auto make = [](const QColor &color, bool bold = false, bool italic = false) {
        QTextCharFormat format;
        format.setForeground(color);
        if (bold)
            format.setFontWeight(QFont::Bold);
        format.setFontItalic(italic);
        return format;
    };
    m_formats[int(Token::Effect)] = make(dark ? QColor(0xc7, 0x92, 0xea) : QColor(0x7b, 0x1f, 0xa2), true);
    m_formats[int(Token::Variable)] = make(dark ? QColor(0x82, 0xaa, 0xff) : QColor(0x15, 0x65, 0xc0), true);
    m_formats[int(Token::Operator)] = make(dark ? QColor(0x89, 0xdd, 0xff) : QColor(0x00, 0x69, 0x7c));
    m_formats[int(Token::EntityType)] = make(dark ? QColor(0xff, 0xcb, 0x6b) : QColor(0xa0, 0x52, 0x00));
    m_formats[int(Token::String)] = make(dark ? QColor(0xc3, 0xe8, 0x8d) : QColor(0x2e, 0x7d, 0x32));
    m_formats[int(Token::Number)] = make(dark ? QColor(0xf7, 0x8c, 0x6c) : QColor(0xc6, 0x28, 0x28));
    m_formats[int(Token::Annotation)] = make(dark ? QColor(0xb0, 0xb0, 0xb0) : QColor(0x60, 0x60, 0x60), true);
    m_formats[int(Token::Extension)] = make(dark ? QColor(0x80, 0xcb, 0xc4) : QColor(0x00, 0x79, 0x6b));
    m_formats[int(Token::Comment)] = make(dark ? QColor(0x8a, 0x8f, 0x98) : QColor(0x75, 0x75, 0x75), false, true);
    rehighlight();
}

QTextCharFormat CedarHighlighter::format(Token token) const
{
    return m_formats[int(token)];
}

void CedarHighlighter::highlightBlock(const QString &text)
{
    for (const Rule &rule : m_rules) {
        for (auto it = rule.pattern.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch match = it.next();
            setFormat(int(match.capturedStart()), int(match.capturedLength()), m_formats[int(rule.token)]);
        }
    }
    // A comment runs to the end of the line unless the `//` sits inside a string.
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inString && c == u'\\') {
            ++i;
        } else if (c == u'"') {
            inString = !inString;
        } else if (!inString && c == u'/' && i + 1 < text.size() && text.at(i + 1) == u'/') {
            setFormat(int(i), int(text.size() - i), m_formats[int(Token::Comment)]);
            break;
        }
    }
}

} // namespace mandate::ui
