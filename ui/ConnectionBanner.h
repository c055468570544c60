// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace mandate::ui {

/// A bar above the views that says what went wrong with the gateway connection and offers
/// Retry — instead of a modal box, so the window stays usable.
class ConnectionBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionBanner)

public:
    explicit ConnectionBanner(QWidget *parent = nullptr);

    void showProblem(const QString &headline, const QString &detail);
    void showInfo(const QString &text);
    QString text() const;

Q_SIGNALS:
    void retryRequested();
    void manageRequested();

private:
    QLabel *m_icon;
    QLabel *m_text;
    QPushButton *m_retry;
    QPushButton *m_manage;
};

} // namespace mandate::ui
