// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "PolicyDiagnostics.h"

#include <QPlainTextEdit>

class QTimer;

namespace mandate::ui {

class CedarHighlighter;

/// A plain-text editor for Cedar policies: highlighting, a line-number gutter, and the core
/// parser's diagnostics underlined as the user types (their messages as tooltips), checked a
/// moment after the last keystroke so that typing stays smooth.
class CedarEditor final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CedarEditor)

public:
    explicit CedarEditor(QWidget *parent = nullptr);

    CedarHighlighter *highlighter() const { return m_highlighter; }
    const ParseReport &report() const { return m_report; }
    /// Parses now instead of after the typing pause (tests, and before replaying or shipping).
    void diagnoseNow();
    /// The diagnostic shown at a document position, if any.
    const Diagnostic *diagnosticAt(int position) const;
    /// Document range [start, end) that the diagnostic underlines.
    std::pair<int, int> rangeOf(const Diagnostic &diagnostic) const;
    /// Moves the cursor to the first diagnostic.
    void goToFirstDiagnostic();
    int lineNumberAreaWidth() const;

Q_SIGNALS:
    void diagnosed(const mandate::ui::ParseReport &report);

protected:
    bool viewportEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class LineNumberArea;
    void paintLineNumbers(QPaintEvent *event);
    void updateGutter(const QRect &rect, int dy);
    void showDiagnostics();

    CedarHighlighter *m_highlighter;
    QWidget *m_gutter;
    QTimer *m_parseSoon;
    ParseReport m_report;
};

} // namespace mandate::ui
