// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SimulatorSchema.h"
#include "client/PolicyVersion.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;
class QToolButton;

namespace mandate::ui {

class CedarEditor;
class GatewaySession;
class PolicyVersionsPanel;
class ReplayPanel;
class WhatIfPanel;
struct ParseReport;

/// The policy simulator: the gateway's Cedar policy set in an editor, a replay of recorded
/// traffic under the edited candidate, a what-if for one request, and — for admins, after a
/// replay of exactly this text — shipping it to the gateway, with every old version restorable.
class SimulatorView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimulatorView)

public:
    enum Tab { ReplayTab, WhatIfTab, VersionsTab };

    explicit SimulatorView(GatewaySession *session, QWidget *parent = nullptr);
    ~SimulatorView() override;

    CedarEditor *editor() const { return m_editor; }
    ReplayPanel *replayPanel() const { return m_replay; }
    WhatIfPanel *whatIfPanel() const { return m_whatIf; }
    PolicyVersionsPanel *versionsPanel() const { return m_versions; }
    void showTab(Tab tab);
    /// The policy set the gateway serves now, as last loaded.
    const client::PolicyVersion &live() const { return m_live; }
    /// Loads the gateway's current policy set into the editor (discarding edits).
    void reload();
    /// Opens the ship dialog (admin, after a complete replay of the editor's text).
    void askShip();

private:
    void onSessionChanged();
    void fetchLive(bool intoEditor);
    bool candidateEdited() const;
    bool mayReplaceCandidate();
    /// The gateway's schema once fetched, else the console's own.
    Result<std::shared_ptr<const policy::Schema>> schema() const;
    void fetchSchema();
    void onDiagnosed(const ParseReport &report);
    void setLive(const client::PolicyVersion &version, bool intoEditor);
    void ship(const QString &comment);
    void updateShipButton();

    GatewaySession *m_session;
    client::PolicyVersion m_live;
    std::shared_ptr<const policy::Schema> m_gatewaySchema;
    CedarEditor *m_editor;
    QLabel *m_sourceLabel;
    QLabel *m_diagnosticLabel;
    QLabel *m_actionLabel;
    QToolButton *m_templates;
    QPushButton *m_reload;
    QPushButton *m_ship;
    QTabWidget *m_tabs;
    ReplayPanel *m_replay;
    WhatIfPanel *m_whatIf;
    PolicyVersionsPanel *m_versions;
};

} // namespace mandate::ui
