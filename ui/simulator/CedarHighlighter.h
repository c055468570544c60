// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <vector>

namespace mandate::ui {

/// Colours Cedar source: effects and conditions, scope variables, operators that are words,
/// entity types, strings, numbers, annotations and comments. Colours follow the palette so that
/// a dark console stays readable.
class CedarHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CedarHighlighter)

public:
    enum class Token { Effect, Variable, Operator, EntityType, String, Number, Annotation, Extension, Comment };

    explicit CedarHighlighter(QTextDocument *document);

    QTextCharFormat format(Token token) const;
    /// Re-picks the colours for a light or dark background.
    void setDarkBackground(bool dark);

protected:
    void highlightBlock(const QString &text) override;

private:
    struct Rule
    {
        Token token;
        QRegularExpression pattern;
    };

    std::vector<Rule> m_rules;
    QTextCharFormat m_formats[int(Token::Comment) + 1];
};

} // namespace mandate::ui
