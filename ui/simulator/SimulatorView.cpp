// SPDX-License-Identifier: Apache-2.0
#include "SimulatorView.h"

#include "CedarEditor.h"
#include "GatewaySession.h"
#include "PolicyTemplates.h"
#include "PolicyVersionsPanel.h"
#include "ReplayPanel.h"
#include "ReplayRunner.h"
#include "ShipDialog.h"
#include "SimulatorSchema.h"
#include "WhatIfPanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace mandate::ui {

SimulatorView::SimulatorView(GatewaySession *session, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("simulatorView"));
    auto *layout = new QVBoxLayout(this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Policy simulator</b>"), this));
    bar->addSpacing(12);
    m_sourceLabel = new QLabel(tr("Not connected"), this);
    m_sourceLabel->setObjectName(QStringLiteral("policySource"));
    bar->addWidget(m_sourceLabel);
    bar->addStretch(1);
    m_reload = new QPushButton(tr("Reload from the gateway"), this);
    m_reload->setObjectName(QStringLiteral("reloadPolicies"));
    bar->addWidget(m_reload);
    m_templates = new QToolButton(this);
    m_templates->setObjectName(QStringLiteral("insertTemplate"));
    m_templates->setText(tr("Insert rule"));
    m_templates->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_templates);
    for (const PolicyTemplate &rule : PolicyTemplate::all()) {
        QAction *action = menu->addAction(rule.title);
        action->setToolTip(rule.description);
        connect(action, &QAction::triggered, this, [this, source = rule.source] {
            QTextCursor cursor = m_editor->textCursor();
            cursor.movePosition(QTextCursor::EndOfBlock);
            cursor.insertText(QStringLiteral("\n\n") + source);
            m_editor->setTextCursor(cursor);
            m_editor->setFocus();
        });
    }
    menu->setToolTipsVisible(true);
    m_templates->setMenu(menu);
    bar->addWidget(m_templates);
    m_ship = new QPushButton(tr("Ship it…"), this);
    m_ship->setObjectName(QStringLiteral("shipButton"));
    bar->addWidget(m_ship);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    auto *editorPane = new QWidget(splitter);
    auto *editorLayout = new QVBoxLayout(editorPane);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    m_editor = new CedarEditor(editorPane);
    editorLayout->addWidget(m_editor, 1);
    m_diagnosticLabel = new QLabel(editorPane);
    m_diagnosticLabel->setObjectName(QStringLiteral("policyDiagnostics"));
    m_diagnosticLabel->setWordWrap(true);
    m_diagnosticLabel->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
    editorLayout->addWidget(m_diagnosticLabel);
    splitter->addWidget(editorPane);

    m_tabs = new QTabWidget(splitter);
    m_tabs->setObjectName(QStringLiteral("simulatorTabs"));
    m_replay = new ReplayPanel([this] { return m_editor->toPlainText(); }, [this] { return schema(); }, m_tabs);
    m_whatIf = new WhatIfPanel([this]() -> Result<simulate::Replayer> {
        Result<std::shared_ptr<const policy::Schema>> schema = this->schema();
        if (!schema)
            return schema.error();
        return simulate::Replayer::create(m_editor->toPlainText(), schema.value());
    }, m_tabs);
    m_versions = new PolicyVersionsPanel(session, m_tabs);
    m_tabs->addTab(m_replay, tr("Replay"));
    m_tabs->addTab(m_whatIf, tr("What-if"));
    m_tabs->addTab(m_versions, tr("Versions"));
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({470, 830});  // the policies need room to be read without scrolling sideways
    layout->addWidget(splitter, 1);
    m_actionLabel = new QLabel(this);
    m_actionLabel->setObjectName(QStringLiteral("simulatorStatus"));
    m_actionLabel->setWordWrap(true);
    layout->addWidget(m_actionLabel);

    connect(m_reload, &QPushButton::clicked, this, &SimulatorView::reload);
    connect(m_ship, &QPushButton::clicked, this, &SimulatorView::askShip);
    connect(m_editor, &CedarEditor::diagnosed, this, &SimulatorView::onDiagnosed);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &SimulatorView::updateShipButton);
    connect(m_diagnosticLabel, &QLabel::linkActivated, m_editor, &CedarEditor::goToFirstDiagnostic);
    connect(m_replay, &ReplayPanel::replayFinished, this, [this] {
        m_whatIf->setRecorded(m_replay->runner()->samples());
        updateShipButton();
    });
    connect(m_replay, &ReplayPanel::whatIfRequested, this, [this](const simulate::RecordedRequest &recorded) {
        m_whatIf->loadRecorded(recorded);
        showTab(WhatIfTab);
    });
    connect(m_versions, &PolicyVersionsPanel::openRequested, this, [this](const client::PolicyVersion &version) {
        if (!mayReplaceCandidate())
            return;
        m_editor->setPlainText(version.source);
        m_actionLabel->setText(tr("Version %1 is in the editor as the candidate; replay it to see what restoring it would do.")
                                   .arg(version.version));
    });
    connect(m_versions, &PolicyVersionsPanel::restored, this, [this](const client::PolicyVersion &version) {
        const bool edited = candidateEdited();
        setLive(version, !edited);
        m_actionLabel->setText(edited ? tr("The gateway now serves version %1; your candidate is kept in the editor.").arg(version.version)
                                      : tr("The gateway now serves version %1.").arg(version.version));
    });
    connect(m_session, &GatewaySession::stateChanged, this, &SimulatorView::onSessionChanged);
    onDiagnosed(m_editor->report());
    onSessionChanged();
}

SimulatorView::~SimulatorView() = default;

void SimulatorView::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(int(tab));
}

void SimulatorView::onSessionChanged()
{
    const bool connected = m_session->state() == GatewaySession::State::Connected;
    m_replay->setClient(connected ? m_session->client() : nullptr);
    m_reload->setEnabled(connected);
    if (connected) {
        // A reconnect keeps the analyst's edits; only an untouched editor follows the gateway.
        const QString text = m_editor->toPlainText();
        fetchLive(text.isEmpty() || text == m_live.source);
        fetchSchema();
    } else {
        // What was live on the gateway being left says nothing about the next one.
        m_sourceLabel->setText(m_session->state() == GatewaySession::State::Connecting ? tr("Connecting…") : tr("Not connected"));
    }
    updateShipButton();
}

Result<std::shared_ptr<const policy::Schema>> SimulatorView::schema() const
{
    if (m_gatewaySchema)
        return m_gatewaySchema;
    return SimulatorSchema::load();
}

void SimulatorView::fetchSchema()
{
    m_gatewaySchema.reset();
    m_session->client()->policySchema(this, [this](client::ClientResult<QString> source) {
        // A gateway that does not serve its schema (an older version) gets the console's own copy.
        if (!source) {
            m_actionLabel->setText(tr("The gateway does not serve its Cedar schema (%1); the console's own copy is used.")
                                       .arg(source.error().message()));
            return;
        }
        Result<std::shared_ptr<const policy::Schema>> parsed = SimulatorSchema::parse(source.value());
        if (!parsed) {
            m_actionLabel->setText(tr("The gateway's Cedar schema cannot be read (%1); the console's own copy is used.")
                                       .arg(parsed.error().message));
            return;
        }
        m_gatewaySchema = std::move(parsed).value();
    });
}

void SimulatorView::reload()
{
    if (mayReplaceCandidate())
        fetchLive(true);
}

bool SimulatorView::candidateEdited() const
{
    const QString text = m_editor->toPlainText();
    return !text.isEmpty() && text != m_live.source;
}

/// setPlainText() also clears the editor's undo history: an edited candidate is replaced only
/// when the analyst agrees.
bool SimulatorView::mayReplaceCandidate()
{
    if (!candidateEdited())
        return true;
    return QMessageBox::question(this, tr("Replace the candidate?"),
                                 tr("The editor holds a candidate that differs from the gateway's policy set. "
                                    "Replacing it cannot be undone."),
                                 QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Discard;
}

void SimulatorView::fetchLive(bool intoEditor)
{
    if (m_session->state() != GatewaySession::State::Connected)
        return;
    m_actionLabel->setText(tr("Loading the gateway's policy set…"));
    m_session->client()->currentPolicy(this, [this, intoEditor](client::ClientResult<client::PolicyVersion> current) {
        if (!current) {
            m_actionLabel->setText(tr("Could not load the policy set: %1").arg(current.error().message()));
            return;
        }
        setLive(current.value(), intoEditor);
        m_actionLabel->setText(intoEditor ? tr("Edit the candidate, then replay recorded traffic to see what it would change.")
                                          : tr("Your edits are kept; the gateway serves version %1.").arg(current->version));
    });
}

void SimulatorView::setLive(const client::PolicyVersion &version, bool intoEditor)
{
    m_live = version;
    if (intoEditor) {
        m_editor->setPlainText(version.source);
        m_editor->diagnoseNow();
    }
    m_sourceLabel->setText(version.version == 0 ? tr("The gateway has no policy set yet")
                                                : tr("Version %1 on the gateway, by %2").arg(version.version).arg(version.author));
    m_versions->setCurrentVersion(version.version);
    m_versions->refresh();
    updateShipButton();
}

void SimulatorView::onDiagnosed(const ParseReport &report)
{
    if (report.ok()) {
        m_diagnosticLabel->setText(tr("✓ %n policies parse", nullptr, report.policies)
                                   + (report.templates > 0 ? tr(", %n template(s)", nullptr, report.templates) : QString()));
        m_diagnosticLabel->setStyleSheet(QString());
    } else {
        const Diagnostic &first = report.diagnostics.front();
        const QString where = first.line > 0 ? tr("line %1, column %2").arg(first.line).arg(first.column) : tr("policy set");
        m_diagnosticLabel->setText(QStringLiteral("<a href='#first'>%1</a>: %2").arg(where, first.message.toHtmlEscaped()));
        m_diagnosticLabel->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    }
    updateShipButton();
}

void SimulatorView::updateShipButton()
{
    const QString text = m_editor->toPlainText();
    const bool admin = m_session->canWrite();
    const bool parses = m_editor->report().ok();
    const bool changed = text != m_live.source;
    const bool replayed = !m_replay->completedSource().isEmpty() && m_replay->completedSource() == text;
    m_ship->setEnabled(admin && parses && changed && replayed);
    if (!admin)
        m_ship->setToolTip(tr("Shipping needs an admin API key"));
    else if (!changed)
        m_ship->setToolTip(tr("The candidate is the gateway's current policy set"));
    else if (!parses)
        m_ship->setToolTip(tr("Fix the candidate's errors first"));
    else if (!replayed)
        m_ship->setToolTip(tr("Replay recorded traffic under exactly this candidate first"));
    else
        m_ship->setToolTip(tr("Publish the candidate to the gateway"));
}

void SimulatorView::askShip()
{
    if (!m_ship->isEnabled())
        return;
    auto *dialog = new ShipDialog(m_replay->runner()->summary(), m_live.version, m_session->profile().name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { ship(dialog->comment()); });
    dialog->open();
}

void SimulatorView::ship(const QString &comment)
{
    const QString source = m_editor->toPlainText();
    m_actionLabel->setText(tr("Publishing…"));
    m_session->client()->publishPolicy(source, comment, m_live.version, this, [this](client::ClientResult<client::PolicyVersion> published) {
        if (!published) {
            const client::ClientError &error = published.error();
            if (error.kind == client::ClientError::Kind::Conflict) {
                // The candidate stays; the replay that vouched for it was made against what is no
                // longer live, so shipping waits for a new one.
                m_replay->forgetReplay();
                m_session->client()->currentPolicy(this, [this](client::ClientResult<client::PolicyVersion> current) {
                    if (current)
                        setLive(current.value(), false);
                });
                m_actionLabel->setText(tr("Not shipped: someone published version %1 meanwhile. Your candidate is kept: "
                                          "compare it with version %1 in the Versions tab, then replay again and ship.")
                                           .arg(error.currentVersion));
                updateShipButton();
            } else {
                m_actionLabel->setText(tr("Not shipped: %1").arg(error.message()));
            }
            return;
        }
        const qint64 previous = m_live.version;
        setLive(published.value(), false);
        m_actionLabel->setText(tr("Shipped: the gateway now serves version %1. Version %2 can be restored from the Versions tab.")
                                   .arg(published->version).arg(previous));
    });
}

} // namespace mandate::ui
