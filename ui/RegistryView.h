// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/ClientError.h"

#include <QWidget>

class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;
class QUndoStack;

namespace mandate::client {
class GatewayClient;
}

namespace mandate::ui {

class AgentForm;
class AgentTableModel;
class ConsoleSettings;
class PushController;
class RecordFilterProxyModel;
class RegistryDocument;
class ToolForm;
class ToolTableModel;

/// The registry editor: agents and tools in sortable, filterable tables, a form for the
/// selected record, undo/redo, and "Review & push" to the gateway with conflict handling.
class RegistryView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegistryView)

public:
    explicit RegistryView(ConsoleSettings &settings, QWidget *parent = nullptr);
    ~RegistryView() override;

    RegistryDocument *document() const { return m_document; }
    QUndoStack *undoStack() const;
    QList<QAction *> editActions() const;
    QList<QAction *> fileActions() const;
    QAction *undoAction() const { return m_undo; }
    QAction *redoAction() const { return m_redo; }

    void setClient(client::GatewayClient *client);
    /// Admins may edit; other roles see everything read-only.
    void setWritable(bool writable);
    bool isWritable() const { return m_writable; }
    /// Fetches humans, tools and agents; replaces the working copy when all three arrived.
    void reload();
    void saveLayout();

    // The same operations the menus trigger, without file dialogs (tests, command line).
    void exportTo(const QString &path);
    void validateFile(const QString &path);
    void importFrom(const QString &path);
    void reviewAndPush();
    quint64 createAgent();
    void deleteSelectedAgent();

Q_SIGNALS:
    void loadFailed(const mandate::client::ClientError &error);
    void loaded();
    void busyChanged(bool busy);
    void message(const QString &text);

private:
    void buildActions();
    void buildLayout();
    void updateActions();
    void setBusy(const QString &what);
    void showMessage(const QString &text, bool error = false);
    void startPush();
    void selectAgent(quint64 uid);
    quint64 currentAgentUid() const;

    ConsoleSettings &m_settings;
    RegistryDocument *m_document;
    AgentTableModel *m_agentModel;
    ToolTableModel *m_toolModel;
    RecordFilterProxyModel *m_agentProxy;
    RecordFilterProxyModel *m_toolProxy;
    client::GatewayClient *m_client = nullptr;
    PushController *m_push = nullptr;
    bool m_writable = false;
    bool m_formsReadOnly = true;  ///< as the forms start
    bool m_loading = false;
    int m_loadGeneration = 0;

    QTabWidget *m_tabs = nullptr;
    QTableView *m_agentTable = nullptr;
    QTableView *m_toolTable = nullptr;
    QSplitter *m_agentSplitter = nullptr;
    QSplitter *m_toolSplitter = nullptr;
    AgentForm *m_agentForm = nullptr;
    ToolForm *m_toolForm = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_pendingOnly = nullptr;
    QLabel *m_message = nullptr;
    QProgressBar *m_busy = nullptr;
    QPushButton *m_cancelPush = nullptr;

    QAction *m_newAgent = nullptr;
    QAction *m_deleteAgent = nullptr;
    QAction *m_undo = nullptr;
    QAction *m_redo = nullptr;
    QAction *m_review = nullptr;
    QAction *m_reload = nullptr;
    QAction *m_import = nullptr;
    QAction *m_validate = nullptr;
    QAction *m_export = nullptr;
};

} // namespace mandate::ui
