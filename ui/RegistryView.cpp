// SPDX-License-Identifier: Apache-2.0
#include "RegistryView.h"

#include "AgentForm.h"
#include "AgentTableModel.h"
#include "ConflictDialog.h"
#include "ConsoleSettings.h"
#include "ImportReportDialog.h"
#include "PushController.h"
#include "RecordFilterProxyModel.h"
#include "RegistryDocument.h"
#include "RegistryTransfer.h"
#include "ReviewDialog.h"
#include "ToolForm.h"
#include "ToolTableModel.h"
#include "client/GatewayClient.h"

#include <QAction>
#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <memory>

namespace mandate::ui {

using namespace mandate::client;
using identity::Agent;
using identity::Human;
using identity::Tool;

RegistryView::RegistryView(ConsoleSettings &settings, QWidget *parent)
    : QWidget(parent), m_settings(settings), m_document(new RegistryDocument(this)),
      m_agentModel(new AgentTableModel(m_document, this)), m_toolModel(new ToolTableModel(m_document, this)),
      m_agentProxy(new RecordFilterProxyModel(this)), m_toolProxy(new RecordFilterProxyModel(this))
{
    setObjectName(QStringLiteral("registryView"));
    m_agentProxy->setSourceModel(m_agentModel);
    m_toolProxy->setSourceModel(m_toolModel);
    buildActions();
    buildLayout();
    connect(m_document, &RegistryDocument::pendingCountChanged, this, [this] { updateActions(); });
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this, [this] { updateActions(); });
    updateActions();
}

RegistryView::~RegistryView() = default;

QUndoStack *RegistryView::undoStack() const
{
    return m_document->undoStack();
}

QList<QAction *> RegistryView::editActions() const
{
    return {m_undo, m_redo, nullptr, m_newAgent, m_deleteAgent, nullptr, m_review, m_reload};
}

QList<QAction *> RegistryView::fileActions() const
{
    return {m_import, m_validate, m_export};
}

void RegistryView::buildActions()
{
    QStyle *s = style();
    m_newAgent = new QAction(s->standardIcon(QStyle::SP_FileDialogNewFolder), tr("&New agent"), this);
    m_newAgent->setObjectName(QStringLiteral("actionNewAgent"));
    m_newAgent->setShortcut(QKeySequence::New);
    connect(m_newAgent, &QAction::triggered, this, [this] { createAgent(); });

    m_deleteAgent = new QAction(s->standardIcon(QStyle::SP_TrashIcon), tr("&Delete agent"), this);
    m_deleteAgent->setObjectName(QStringLiteral("actionDeleteAgent"));
    m_deleteAgent->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Delete));
    connect(m_deleteAgent, &QAction::triggered, this, [this] { deleteSelectedAgent(); });

    m_undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undo->setObjectName(QStringLiteral("actionUndo"));
    m_undo->setShortcut(QKeySequence::Undo);
    m_undo->setIcon(s->standardIcon(QStyle::SP_ArrowBack));
    m_redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redo->setObjectName(QStringLiteral("actionRedo"));
    m_redo->setShortcut(QKeySequence::Redo);
    m_redo->setIcon(s->standardIcon(QStyle::SP_ArrowForward));

    m_review = new QAction(s->standardIcon(QStyle::SP_DialogApplyButton), tr("Review && &push…"), this);
    m_review->setObjectName(QStringLiteral("actionReview"));
    m_review->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    connect(m_review, &QAction::triggered, this, [this] { reviewAndPush(); });

    m_reload = new QAction(s->standardIcon(QStyle::SP_BrowserReload), tr("Re&load from gateway"), this);
    m_reload->setObjectName(QStringLiteral("actionReload"));
    m_reload->setShortcut(QKeySequence::Refresh);
    connect(m_reload, &QAction::triggered, this, [this] {
        if (m_document->hasPendingChanges()
            && QMessageBox::question(this, tr("Discard pending changes?"),
                                     tr("Reloading replaces your %n pending change(s) with the gateway's registry.", nullptr,
                                        m_document->pendingCount()))
                   != QMessageBox::Yes)
            return;
        reload();
    });

    m_import = new QAction(s->standardIcon(QStyle::SP_DialogOpenButton), tr("&Import registry…"), this);
    m_import->setObjectName(QStringLiteral("actionImport"));
    connect(m_import, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import registry"), QString(), tr("Registry JSON (*.json)"));
        if (!path.isEmpty())
            importFrom(path);
    });
    m_validate = new QAction(tr("&Check registry file…"), this);
    m_validate->setObjectName(QStringLiteral("actionValidate"));
    connect(m_validate, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Check registry file"), QString(), tr("Registry JSON (*.json)"));
        if (!path.isEmpty())
            validateFile(path);
    });
    m_export = new QAction(s->standardIcon(QStyle::SP_DialogSaveButton), tr("&Export registry…"), this);
    m_export->setObjectName(QStringLiteral("actionExport"));
    connect(m_export, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export registry"), QStringLiteral("registry.json"), tr("Registry JSON (*.json)"));
        if (!path.isEmpty())
            exportTo(path);
    });
}

namespace {

QTableView *makeTable(QAbstractItemModel *model, const QString &name, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setModel(model);
    table->setSortingEnabled(true);
    table->sortByColumn(0, Qt::AscendingOrder);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    // Fixed row heights: the view never measures 10,000 rows.
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

void RegistryView::buildLayout()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("registryToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(m_newAgent);
    toolbar->addAction(m_deleteAgent);
    toolbar->addSeparator();
    toolbar->addAction(m_undo);
    toolbar->addAction(m_redo);
    // The stack names the next step in the action's text ("Undo Edit id of …"): the menu shows
    // it, the toolbar shows the icon and keeps the text as tooltip.
    for (QAction *action : {m_undo, m_redo}) {
        if (auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(action)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
    toolbar->addSeparator();
    toolbar->addAction(m_review);
    toolbar->addAction(m_reload);
    layout->addWidget(toolbar);

    // Filtering applies to both tables, so it sits in the tab bar's corner.
    auto *filterBar = new QWidget(this);
    auto *filterLayout = new QHBoxLayout(filterBar);
    filterLayout->setContentsMargins(0, 0, 0, 2);
    m_filter = new QLineEdit(filterBar);
    m_filter->setObjectName(QStringLiteral("registryFilter"));
    m_filter->setPlaceholderText(tr("Filter (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(240);
    m_pendingOnly = new QCheckBox(tr("Pending only"), filterBar);
    m_pendingOnly->setObjectName(QStringLiteral("pendingOnly"));
    filterLayout->addWidget(m_filter);
    filterLayout->addWidget(m_pendingOnly);

    auto *focusFilter = new QAction(this);
    focusFilter->setShortcut(QKeySequence::Find);
    connect(focusFilter, &QAction::triggered, m_filter, [this] { m_filter->setFocus(); m_filter->selectAll(); });
    addAction(focusFilter);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_agentProxy->setText(text);
        m_toolProxy->setText(text);
    });
    connect(m_pendingOnly, &QCheckBox::toggled, this, [this](bool on) {
        m_agentProxy->setPendingOnly(on);
        m_toolProxy->setPendingOnly(on);
    });

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("registryTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setCornerWidget(filterBar, Qt::TopRightCorner);

    m_agentSplitter = new QSplitter(Qt::Horizontal, m_tabs);
    m_agentSplitter->setObjectName(QStringLiteral("agentSplitter"));
    m_agentTable = makeTable(m_agentProxy, QStringLiteral("agentTable"), m_agentSplitter);
    m_agentForm = new AgentForm(m_document, m_agentSplitter);
    m_agentForm->setObjectName(QStringLiteral("agentForm"));
    m_agentSplitter->addWidget(m_agentTable);
    m_agentSplitter->addWidget(m_agentForm);
    m_agentSplitter->setStretchFactor(0, 3);
    m_agentSplitter->setStretchFactor(1, 2);
    m_tabs->addTab(m_agentSplitter, tr("&Agents"));

    m_toolSplitter = new QSplitter(Qt::Horizontal, m_tabs);
    m_toolSplitter->setObjectName(QStringLiteral("toolSplitter"));
    m_toolTable = makeTable(m_toolProxy, QStringLiteral("toolTable"), m_toolSplitter);
    m_toolForm = new ToolForm(m_document, m_toolSplitter);
    m_toolForm->setObjectName(QStringLiteral("toolForm"));
    m_toolSplitter->addWidget(m_toolTable);
    m_toolSplitter->addWidget(m_toolForm);
    m_toolSplitter->setStretchFactor(0, 3);
    m_toolSplitter->setStretchFactor(1, 2);
    m_tabs->addTab(m_toolSplitter, tr("&Tools"));
    layout->addWidget(m_tabs, 1);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { updateActions(); });

    auto *footer = new QHBoxLayout;
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("registryMessage"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setWordWrap(true);
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("registryProgress"));
    m_busy->setMaximumWidth(220);
    m_busy->hide();
    m_cancelPush = new QPushButton(tr("Stop push"), this);
    m_cancelPush->setObjectName(QStringLiteral("cancelPushButton"));
    m_cancelPush->setToolTip(tr("Stop after the change being sent now; the rest stays pending."));
    m_cancelPush->hide();
    footer->addWidget(m_message, 1);
    footer->addWidget(m_busy);
    footer->addWidget(m_cancelPush);
    connect(m_cancelPush, &QPushButton::clicked, this, [this] {
        if (m_push)
            m_push->cancel();
    });
    layout->addLayout(footer);

    if (const QByteArray state = m_settings.registrySplitterState(); !state.isEmpty())
        m_agentSplitter->restoreState(state);
    else
        m_agentSplitter->setSizes({640, 500});
    m_toolSplitter->setSizes({640, 500});
    m_agentForm->setMinimumWidth(380);
    m_toolForm->setMinimumWidth(380);
    if (const QByteArray header = m_settings.agentTableHeaderState(); !header.isEmpty())
        m_agentTable->horizontalHeader()->restoreState(header);

    connect(m_agentTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        m_agentForm->showAgent(current.isValid() ? current.data(AgentTableModel::UidRole).toULongLong() : 0);
        updateActions();
    });
    connect(m_toolTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        m_toolForm->showTool(current.isValid() ? current.data(ToolTableModel::UidRole).toULongLong() : 0);
    });
    connect(m_document, &RegistryDocument::reset, this, [this] {
        m_agentTable->resizeColumnsToContents();
        m_toolTable->resizeColumnsToContents();
        for (QTableView *table : {m_agentTable, m_toolTable}) {
            for (int column = 0; column < table->model()->columnCount(); ++column)
                table->setColumnWidth(column, qMin(table->columnWidth(column), 260));
        }
    });
    // An undone create or redone delete moves the selection: keep the form on what is selected.
    connect(m_document, &RegistryDocument::rowInserted, this, [this](RecordKind kind, int row) {
        if (kind == RecordKind::Agent)
            selectAgent(m_document->agents()[static_cast<size_t>(row)].uid);
    });
}

void RegistryView::saveLayout()
{
    m_settings.setRegistrySplitterState(m_agentSplitter->saveState());
    m_settings.setAgentTableHeaderState(m_agentTable->horizontalHeader()->saveState());
}

void RegistryView::setClient(GatewayClient *client)
{
    m_client = client;
    const bool pushing = m_push && m_push->isRunning();
    delete m_push;
    m_push = nullptr;
    if (pushing) {  // a deleted controller reports no end of its own
        m_busy->hide();
        m_cancelPush->hide();
        Q_EMIT busyChanged(false);
    }
    if (!client) {
        // The records shown belong to the gateway being left: none may be edited on, or pushed
        // to, the next one. Answers still on their way are ignored.
        ++m_loadGeneration;
        m_loading = false;
        m_document->load({}, {}, {});
        setBusy(QString());
        updateActions();
        return;
    }
    m_push = new PushController(m_document, client, this);
    connect(m_push, &PushController::progress, this, [this](int done, int total, const QString &what) {
        m_busy->setRange(0, total);
        m_busy->setValue(done);
        m_busy->show();
        showMessage(tr("Pushing %1 (%2 of %3)…").arg(what).arg(done + 1).arg(total));
    });
    connect(m_push, &PushController::conflict, this,
            [this](const PushController::Operation &operation, const QJsonObject &base, const QJsonObject &mine,
                   const QJsonObject &theirs, qint64 theirsVersion) {
                const QString label = (operation.kind == RecordKind::Agent ? tr("Agent %1") : tr("Tool %1")).arg(operation.id);
                auto *dialog = new ConflictDialog(label, base, mine, theirs, theirsVersion, window());
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                connect(dialog, &ConflictDialog::resolved, this, [this](PushController::Resolution resolution) {
                    m_push->resolveConflict(resolution);
                });
                showMessage(tr("%1 changed on the gateway meanwhile — choose which version to keep.").arg(label), true);
                dialog->open();
            });
    connect(m_push, &PushController::finished, this, [this](int pushed, const QStringList &failures, bool cancelled) {
        m_busy->hide();
        m_cancelPush->hide();
        QString text = tr("Pushed %n change(s).", nullptr, pushed);
        if (cancelled)
            text += u' ' + tr("Push stopped; the remaining changes are still pending.");
        if (!failures.isEmpty())
            text += u' ' + tr("Not pushed:") + u'\n' + failures.join(u'\n');
        showMessage(text, !failures.isEmpty() || cancelled);
        updateActions();
        Q_EMIT busyChanged(false);
    });
}

void RegistryView::setWritable(bool writable)
{
    m_writable = writable;
    updateActions();
}

void RegistryView::updateActions()
{
    const bool connected = m_client != nullptr;
    const bool idle = !m_loading && !(m_push && m_push->isRunning());
    const bool canEdit = connected && m_writable && idle;
    // The forms too, while a push runs: a record's answer replaces what is typed meanwhile, and
    // an edit of a record still to come would be pushed without having been reviewed.
    const bool formsReadOnly = !m_writable || (m_push && m_push->isRunning());
    if (formsReadOnly != m_formsReadOnly) {
        m_formsReadOnly = formsReadOnly;
        m_agentForm->setReadOnly(formsReadOnly);
        m_toolForm->setReadOnly(formsReadOnly);
    }
    const AgentEntry *selected = m_document->agent(currentAgentUid());
    m_newAgent->setEnabled(canEdit);
    m_deleteAgent->setEnabled(canEdit && m_tabs->currentIndex() == 0 && selected && !selected->deleted);
    m_review->setEnabled(canEdit && m_document->hasPendingChanges());
    const int pending = m_document->pendingCount();
    m_review->setText(pending > 0 ? tr("Review && &push (%1)…").arg(pending) : tr("Review && &push…"));
    m_reload->setEnabled(connected && idle);
    m_import->setEnabled(canEdit);
    m_validate->setEnabled(connected && idle);
    m_export->setEnabled(connected && idle);
    // Undo/redo follow the stack, but never while a push rewrites the document.
    m_undo->setEnabled(idle && m_document->undoStack()->canUndo());
    m_redo->setEnabled(idle && m_document->undoStack()->canRedo());
}

void RegistryView::setBusy(const QString &what)
{
    const bool busy = !what.isEmpty();
    m_busy->setRange(0, 0);  // indeterminate
    m_busy->setVisible(busy);
    if (busy)
        showMessage(what);
    Q_EMIT busyChanged(busy);
}

void RegistryView::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #d32f2f;") : QString());
    Q_EMIT message(text);
}

void RegistryView::reload()
{
    if (!m_client)
        return;
    struct Pending
    {
        std::optional<std::vector<Agent>> agents;
        std::optional<std::vector<Tool>> tools;
        std::optional<std::vector<Human>> humans;
        bool failed = false;
    };
    auto state = std::make_shared<Pending>();
    const int generation = ++m_loadGeneration;
    m_loading = true;
    updateActions();
    setBusy(tr("Loading the registry…"));
    const auto complete = [this, state, generation] {
        if (generation != m_loadGeneration || state->failed || !state->agents || !state->tools || !state->humans)
            return;
        m_loading = false;
        m_document->load(std::move(*state->agents), std::move(*state->tools), std::move(*state->humans));
        setBusy(QString());
        showMessage(tr("%n agent(s) and %1 tool(s) loaded from the gateway.", nullptr, static_cast<int>(m_document->agents().size()))
                        .arg(m_document->tools().size()));
        updateActions();
        if (!m_document->agents().empty() && !m_agentTable->currentIndex().isValid())
            m_agentTable->selectRow(0);
        Q_EMIT loaded();
    };
    const auto fail = [this, state, generation](const ClientError &error) {
        if (generation != m_loadGeneration || state->failed)
            return;
        state->failed = true;
        m_loading = false;
        setBusy(QString());
        showMessage(tr("Loading the registry failed: %1").arg(error.message()), true);
        updateActions();
        Q_EMIT loadFailed(error);
    };
    m_client->listHumans(this, [state, complete, fail](ClientResult<std::vector<Human>> result) {
        if (!result)
            return fail(result.error());
        state->humans = std::move(result).value();
        complete();
    });
    m_client->listTools(this, [state, complete, fail](ClientResult<std::vector<Tool>> result) {
        if (!result)
            return fail(result.error());
        state->tools = std::move(result).value();
        complete();
    });
    m_client->listAgents(this, [state, complete, fail](ClientResult<std::vector<Agent>> result) {
        if (!result)
            return fail(result.error());
        state->agents = std::move(result).value();
        complete();
    });
}

quint64 RegistryView::currentAgentUid() const
{
    const QModelIndex current = m_agentTable->currentIndex();
    return current.isValid() ? current.data(AgentTableModel::UidRole).toULongLong() : 0;
}

void RegistryView::selectAgent(quint64 uid)
{
    const QModelIndex source = m_agentModel->indexOfUid(uid);
    const QModelIndex proxy = m_agentProxy->mapFromSource(source);
    if (!proxy.isValid())
        return;
    m_agentTable->setCurrentIndex(proxy);
    m_agentTable->scrollTo(proxy);
}

quint64 RegistryView::createAgent()
{
    if (!m_writable || !m_client)
        return 0;
    m_tabs->setCurrentIndex(0);
    const quint64 uid = m_document->createAgent();
    selectAgent(uid);
    if (QWidget *id = m_agentForm->findChild<QWidget *>(QStringLiteral("agentId"))) {
        id->setFocus();
        if (auto *edit = qobject_cast<QLineEdit *>(id))
            edit->selectAll();
    }
    return uid;
}

void RegistryView::deleteSelectedAgent()
{
    if (!m_writable)
        return;
    if (const quint64 uid = currentAgentUid())
        m_document->deleteAgent(uid);
    updateActions();
}

void RegistryView::reviewAndPush()
{
    if (!m_writable || !m_push || m_push->isRunning())
        return;
    if (!m_document->hasPendingChanges()) {
        showMessage(tr("Nothing to push: there are no pending changes."));
        return;
    }
    auto *dialog = new ReviewDialog(*m_document, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this] { startPush(); });
    dialog->open();
}

void RegistryView::startPush()
{
    Q_EMIT busyChanged(true);
    m_busy->show();
    m_cancelPush->show();
    m_push->start();
    updateActions();
}

void RegistryView::exportTo(const QString &path)
{
    if (!m_client)
        return;
    setBusy(tr("Exporting the registry…"));
    RegistryTransfer::exportToFile(m_client, path, this, [this](const RegistryTransfer::Outcome &outcome) {
        setBusy(QString());
        showMessage(outcome.message, !outcome.ok);
    });
}

void RegistryView::validateFile(const QString &path)
{
    if (!m_client)
        return;
    setBusy(tr("Checking %1…").arg(path));
    RegistryTransfer::validateFile(m_client, path, this, [this, path](const RegistryTransfer::Outcome &outcome) {
        setBusy(QString());
        showMessage(outcome.message, !outcome.ok);
        if (!outcome.errors.empty()) {
            auto *report = new ImportReportDialog(path, outcome.message, outcome.errors, window());
            report->setAttribute(Qt::WA_DeleteOnClose);
            report->open();
        }
    });
}

void RegistryView::importFrom(const QString &path)
{
    if (!m_client || !m_writable)
        return;
    if (m_document->hasPendingChanges()) {
        // An import reloads the registry, which would drop the local edits without review.
        showMessage(tr("Push or undo your %n pending change(s) before importing a registry file.", nullptr,
                       m_document->pendingCount()), true);
        return;
    }
    setBusy(tr("Importing %1…").arg(path));
    RegistryTransfer::importFile(m_client, path, this, [this, path](const RegistryTransfer::Outcome &outcome) {
        setBusy(QString());
        if (!outcome.errors.empty()) {
            const QString summary = tr("Nothing was imported: the gateway found %n invalid record field(s).", nullptr,
                                       static_cast<int>(outcome.errors.size()));
            showMessage(summary, true);
            auto *report = new ImportReportDialog(path, summary, outcome.errors, window());
            report->setAttribute(Qt::WA_DeleteOnClose);
            report->open();
            return;
        }
        showMessage(outcome.message, !outcome.ok);
        if (outcome.ok)
            reload();
    });
}

} // namespace mandate::ui
