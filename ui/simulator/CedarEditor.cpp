// SPDX-License-Identifier: Apache-2.0
#include "CedarEditor.h"

#include "CedarHighlighter.h"
#include "Theme.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QTextBlock>
#include <QTimer>
#include <QToolTip>

namespace mandate::ui {

namespace {

constexpr int ParseDelayMs = 300;

/// The index in `text` (UTF-16) of the 1-based column `column` counted in code points.
int indexOfColumn(const QString &text, int column)
{
    int index = 0;
    for (int seen = 1; seen < column && index < text.size(); ++seen)
        index += (text.at(index).isHighSurrogate() && index + 1 < text.size()) ? 2 : 1;
    return index;
}

} // namespace

/// The gutter: paints nothing itself, the editor paints the numbers of the visible blocks.
class LineNumberArea final : public QWidget
{
public:
    explicit LineNumberArea(CedarEditor *editor) : QWidget(editor), m_editor(editor) {}
    QSize sizeHint() const override { return {m_editor->lineNumberAreaWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintLineNumbers(event); }

private:
    CedarEditor *m_editor;
};

CedarEditor::CedarEditor(QWidget *parent)
    : QPlainTextEdit(parent), m_highlighter(new CedarHighlighter(document())), m_gutter(new LineNumberArea(this)),
      m_parseSoon(new QTimer(this))
{
    setObjectName(QStringLiteral("cedarEditor"));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(mono);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 4);
    m_highlighter->setDarkBackground(Theme::isDark(palette()));

    connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { setViewportMargins(lineNumberAreaWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, &CedarEditor::updateGutter);
    m_parseSoon->setSingleShot(true);
    m_parseSoon->setInterval(ParseDelayMs);
    connect(m_parseSoon, &QTimer::timeout, this, &CedarEditor::diagnoseNow);
    connect(this, &QPlainTextEdit::textChanged, m_parseSoon, qOverload<>(&QTimer::start));
    setViewportMargins(lineNumberAreaWidth(), 0, 0, 0);
    diagnoseNow();
}

int CedarEditor::lineNumberAreaWidth() const
{
    int digits = 1;
    for (int max = std::max(1, blockCount()); max >= 10; max /= 10)
        ++digits;
    return 12 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(digits, 3);
}

void CedarEditor::updateGutter(const QRect &rect, int dy)
{
    if (dy != 0)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
}

void CedarEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_gutter->setGeometry(QRect(area.left(), area.top(), lineNumberAreaWidth(), area.height()));
}

void CedarEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        m_highlighter->setDarkBackground(Theme::isDark(palette()));
}

void CedarEditor::paintLineNumbers(QPaintEvent *event)
{
    QPainter painter(m_gutter);
    const QPalette &colours = palette();
    painter.fillRect(event->rect(), colours.color(QPalette::AlternateBase));
    QSet<int> badLines;
    for (const Diagnostic &diagnostic : m_report.diagnostics)
        badLines.insert(diagnostic.line);
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int lineHeight = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && top + lineHeight >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            const bool bad = badLines.contains(line);
            painter.setPen(bad ? QColor(0xd3, 0x2f, 0x2f) : colours.color(QPalette::Disabled, QPalette::Text));
            QFont font = this->font();
            font.setBold(bad || block == textCursor().block());
            painter.setFont(font);
            painter.drawText(0, top, m_gutter->width() - 6, lineHeight, Qt::AlignRight | Qt::AlignVCenter, QString::number(line));
        }
        top += qRound(blockBoundingRect(block).height());
        block = block.next();
    }
}

void CedarEditor::diagnoseNow()
{
    m_parseSoon->stop();
    m_report = ParseReport::of(toPlainText());
    showDiagnostics();
    m_gutter->update();
    Q_EMIT diagnosed(m_report);
}

std::pair<int, int> CedarEditor::rangeOf(const Diagnostic &diagnostic) const
{
    if (diagnostic.line <= 0)
        return {0, 0};
    const QTextBlock block = document()->findBlockByNumber(diagnostic.line - 1);
    if (!block.isValid()) {
        const int end = std::max(0, document()->characterCount() - 1);
        return {std::max(0, end - 1), end};
    }
    const QString text = block.text();
    int start = std::min(indexOfColumn(text, diagnostic.column), int(text.size()));
    // Underline the word (or the one character) the parser stopped at; at the end of a line,
    // the last character, so that "expected `;`" still shows somewhere.
    int end = start;
    while (end < text.size() && (text.at(end).isLetterOrNumber() || text.at(end) == u'_'))
        ++end;
    if (end == start && end < text.size())
        ++end;
    if (end == start && start > 0)
        --start;
    return {block.position() + start, block.position() + std::max(end, start + 1)};
}

const Diagnostic *CedarEditor::diagnosticAt(int position) const
{
    for (const Diagnostic &diagnostic : m_report.diagnostics) {
        const auto [start, end] = rangeOf(diagnostic);
        if (diagnostic.line > 0 && position >= start && position <= end)
            return &diagnostic;
    }
    return nullptr;
}

void CedarEditor::showDiagnostics()
{
    QList<QTextEdit::ExtraSelection> selections;
    for (const Diagnostic &diagnostic : m_report.diagnostics) {
        if (diagnostic.line <= 0)
            continue;
        const auto [start, end] = rangeOf(diagnostic);
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(document());
        selection.cursor.setPosition(start);
        selection.cursor.setPosition(end, QTextCursor::KeepAnchor);
        selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        selection.format.setUnderlineColor(QColor(0xd3, 0x2f, 0x2f));
        selection.format.setToolTip(diagnostic.message);
        selections.append(selection);
    }
    setExtraSelections(selections);
}

void CedarEditor::goToFirstDiagnostic()
{
    if (m_report.diagnostics.empty() || m_report.diagnostics.front().line <= 0)
        return;
    QTextCursor cursor(document());
    cursor.setPosition(rangeOf(m_report.diagnostics.front()).first);
    setTextCursor(cursor);
    centerCursor();
    setFocus();
}

bool CedarEditor::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QTextCursor cursor = cursorForPosition(help->pos());
        if (const Diagnostic *diagnostic = diagnosticAt(cursor.position())) {
            QToolTip::showText(help->globalPos(), diagnostic->message, viewport());
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

} // namespace mandate::ui
