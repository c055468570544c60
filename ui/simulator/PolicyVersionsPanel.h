// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/PolicyVersion.h"

#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace mandate::ui {

class GatewaySession;

/// The gateway's policy versions, newest first: open one in the editor, or (admin) restore it,
/// which publishes it again as a new version so that nothing is ever lost.
class PolicyVersionsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyVersionsPanel)

public:
    explicit PolicyVersionsPanel(GatewaySession *session, QWidget *parent = nullptr);

    void refresh();
    /// The version the gateway has now (If-Match for a restore).
    void setCurrentVersion(qint64 version) { m_current = version; }
    const std::vector<client::PolicyVersion> &versions() const { return m_versions; }
    /// Restores the given version (admin), with If-Match on the current one.
    void restore(qint64 version);

Q_SIGNALS:
    void openRequested(const mandate::client::PolicyVersion &version);
    void restored(const mandate::client::PolicyVersion &version);

private:
    void askRestore();
    qint64 selectedVersion() const;
    void updateButtons();

    GatewaySession *m_session;
    std::vector<client::PolicyVersion> m_versions;
    qint64 m_current = 0;
    QTableWidget *m_table;
    QPushButton *m_open;
    QPushButton *m_restore;
    QLabel *m_status;
};

} // namespace mandate::ui
