// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/AuditPage.h"

#include "audit/LineageGraph.h"

#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>
#include <QWidget>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace mandate::client {
class GatewayClient;
}

namespace mandate::ui {

/// What the auditor sees about the selected node: its claims (capabilities, budget, risk,
/// chain), the determining policies of a call, and the node's audit records, fetched from the
/// gateway. Selecting a call selects its record; "Show in graph" goes back from a record to its
/// call.
class LineageDetailsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineageDetailsPanel)

public:
    explicit LineageDetailsPanel(QWidget *parent = nullptr);

    void setClient(client::GatewayClient *client) { m_client = client; }
    /// Shows `node`; `state` is its execution's GET /v1/executions/{id} (empty when unknown).
    void showNode(const audit::LineageGraph::Node &node, const QJsonObject &state);
    void clear();
    /// The sequence number of the record shown, or 0.
    qint64 shownRecord() const;

    /// How the records list pages through a node's audit records: until the selected call's
    /// record is in, or `maxListed` records are; past those a row says that more follow.
    struct ListLimits
    {
        int pageSize = 1000;
        int maxListed = 20'000;
    };
    void setListLimits(ListLimits limits) { m_limits = limits; }

Q_SIGNALS:
    /// "Show in graph" for a record: the id of its call node.
    void showInGraph(const QString &nodeId);

private:
    /// A record to select once listed: a call node's gateway and sequence (none for an execution).
    struct RecordRef
    {
        QString gateway;
        qint64 sequence = 0;
        bool matches(const client::AuditEntry &entry) const
        {
            return sequence > 0 && entry.sequence == sequence && entry.record.gatewayId == gateway;
        }
    };
    void loadRecords(const QString &execution, const RecordRef &select);
    void fetchRecords(const QUrlQuery &filter, const QString &cursor, int request, const RecordRef &select);
    void listRecords(const RecordRef &select, bool more);
    void showRecord(int row);

    QPointer<client::GatewayClient> m_client;
    ListLimits m_limits;
    QLabel *m_title;
    QTreeWidget *m_properties;
    QListWidget *m_records;
    QPlainTextEdit *m_recordJson;
    QPushButton *m_showInGraph;
    std::vector<client::AuditEntry> m_entries;  ///< one per row of m_records
    std::vector<client::AuditEntry> m_loading;  ///< pages of the list being fetched
    QString m_nodeId;
    int m_request = 0;   // ignores answers for a node no longer shown
};

} // namespace mandate::ui
