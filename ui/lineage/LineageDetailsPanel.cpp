// SPDX-License-Identifier: Apache-2.0
#include "LineageDetailsPanel.h"

#include "client/GatewayClient.h"

#include <QFontDatabase>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <utility>

namespace mandate::ui {

namespace {

QString text(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toDouble());
    if (value.isBool())
        return value.toBool() ? LineageDetailsPanel::tr("yes") : LineageDetailsPanel::tr("no");
    if (value.isArray()) {
        QStringList parts;
        for (const QJsonValue &item : value.toArray())
            parts << (item.isObject() ? item.toObject().value(QStringLiteral("action")).toString() : text(item));
        return parts.join(QStringLiteral(", "));
    }
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    return {};
}

void addRow(QTreeWidgetItem *parent, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        new QTreeWidgetItem(parent, {key, value});
}

QString budgetText(const QJsonObject &budget)
{
    if (budget.isEmpty())
        return {};
    const int calls = int(budget.value(QStringLiteral("calls")).toInteger());
    return LineageDetailsPanel::tr("%n call(s), %1 tokens, amount %2", nullptr, calls)
        .arg(budget.value(QStringLiteral("tokens")).toInteger())
        .arg(budget.value(QStringLiteral("amount")).toString());
}

} // namespace

LineageDetailsPanel::LineageDetailsPanel(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_properties(new QTreeWidget(this)), m_records(new QListWidget(this)),
      m_recordJson(new QPlainTextEdit(this)), m_showInGraph(new QPushButton(tr("Show in graph"), this))
{
    setObjectName(QStringLiteral("lineageDetails"));
    m_title->setObjectName(QStringLiteral("lineageDetailsTitle"));
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_properties->setObjectName(QStringLiteral("lineageProperties"));
    m_properties->setHeaderLabels({tr("Claim"), tr("Value")});
    m_properties->setColumnWidth(0, 140);
    m_properties->setRootIsDecorated(true);
    m_properties->setWordWrap(true);
    m_records->setObjectName(QStringLiteral("lineageRecords"));
    m_recordJson->setObjectName(QStringLiteral("lineageRecordJson"));
    m_recordJson->setReadOnly(true);
    m_recordJson->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_recordJson->setPlaceholderText(tr("Select a record to see it in full."));
    m_showInGraph->setObjectName(QStringLiteral("lineageShowInGraph"));
    m_showInGraph->setEnabled(false);

    auto *recordsBox = new QWidget(this);
    auto *recordsLayout = new QVBoxLayout(recordsBox);
    recordsLayout->setContentsMargins(0, 0, 0, 0);
    recordsLayout->addWidget(new QLabel(tr("Audit records"), recordsBox));
    recordsLayout->addWidget(m_records, 1);
    recordsLayout->addWidget(m_recordJson, 2);
    recordsLayout->addWidget(m_showInGraph, 0, Qt::AlignRight);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_properties);
    split->addWidget(recordsBox);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_title);
    layout->addWidget(split, 1);

    connect(m_records, &QListWidget::currentRowChanged, this, &LineageDetailsPanel::showRecord);
    connect(m_showInGraph, &QPushButton::clicked, this, [this] {
        const int row = m_records->currentRow();
        if (row < 0 || row >= static_cast<int>(m_entries.size()))
            return;
        const audit::AuditRecord &record = m_entries[static_cast<size_t>(row)].record;
        // Forwards and flags refer to their decision's record, which is the call node.
        qint64 sequence = m_entries[static_cast<size_t>(row)].sequence;
        for (const client::AuditEntry &entry : m_entries) {
            if (entry.record.event == audit::EventType::Decision && !record.decisionId.isEmpty()
                && entry.record.decisionId == record.decisionId)
                sequence = entry.sequence;
        }
        Q_EMIT showInGraph(QStringLiteral("call:%1:%2").arg(record.gatewayId).arg(sequence));
    });
    clear();
}

void LineageDetailsPanel::clear()
{
    ++m_request;
    m_nodeId.clear();
    m_title->setText(tr("Select a node to see its details."));
    m_properties->clear();
    m_records->clear();
    m_entries.clear();
    m_recordJson->clear();
    m_showInGraph->setEnabled(false);
}

qint64 LineageDetailsPanel::shownRecord() const
{
    const int row = m_records->currentRow();
    return row >= 0 && row < static_cast<int>(m_entries.size()) ? m_entries[static_cast<size_t>(row)].sequence : 0;
}

void LineageDetailsPanel::showNode(const audit::LineageGraph::Node &node, const QJsonObject &state)
{
    clear();
    m_nodeId = node.id;
    const QString name = node.id.section(u':', 1);
    const QJsonObject &a = node.attributes;
    m_properties->setUpdatesEnabled(false);
    auto *claims = new QTreeWidgetItem(m_properties, {tr("Node")});
    claims->setFirstColumnSpanned(true);
    if (node.kind == QLatin1String("human")) {
        m_title->setText(tr("Human %1").arg(name));
        addRow(claims, tr("Subject"), name);
    } else if (node.kind == QLatin1String("agent")) {
        m_title->setText(tr("Agent %1").arg(name));
        addRow(claims, tr("Agent"), name);
    } else if (node.kind == QLatin1String("execution")) {
        m_title->setText(tr("Execution %1").arg(name));
        addRow(claims, tr("Agent"), text(a.value(QStringLiteral("agent"))));
        addRow(claims, tr("Purpose"), text(a.value(QStringLiteral("purpose"))));
        addRow(claims, tr("Parent"), text(a.value(QStringLiteral("parent"))));
        addRow(claims, tr("Status"), text(a.value(QStringLiteral("status"))));
    } else {
        m_title->setText(tr("Call %1 (%2)").arg(text(a.value(QStringLiteral("action"))), text(a.value(QStringLiteral("decision")))));
        addRow(claims, tr("Action"), text(a.value(QStringLiteral("action"))));
        addRow(claims, tr("Tool"), text(a.value(QStringLiteral("tool"))));
        addRow(claims, tr("Decision"), text(a.value(QStringLiteral("decision"))));
        addRow(claims, tr("Time"), text(a.value(QStringLiteral("time"))));
        addRow(claims, tr("Stated reason"), text(a.value(QStringLiteral("reason"))));
        addRow(claims, tr("Upstream status"), text(a.value(QStringLiteral("upstream_status"))));
        addRow(claims, tr("Response flagged"), a.contains(QStringLiteral("flagged")) ? tr("yes") : QString());
        auto *policies = new QTreeWidgetItem(m_properties, {tr("Determining policies")});
        policies->setFirstColumnSpanned(true);
        for (const QJsonValue &policy : a.value(QStringLiteral("policies")).toArray())
            (new QTreeWidgetItem(policies, {policy.toString()}))->setFirstColumnSpanned(true);
        if (policies->childCount() == 0)
            (new QTreeWidgetItem(policies, {tr("none (default deny or a check before Cedar)")}))->setFirstColumnSpanned(true);
        for (const QJsonValue &error : a.value(QStringLiteral("errors")).toArray())
            addRow(policies, tr("Error"), error.toString());
    }
    if (!state.isEmpty()) {
        auto *token = new QTreeWidgetItem(m_properties, {tr("Execution claims")});
        token->setFirstColumnSpanned(true);
        addRow(token, tr("Capabilities"), text(state.value(QStringLiteral("capabilities"))));
        addRow(token, tr("Delegation chain"), text(state.value(QStringLiteral("chain"))));
        addRow(token, tr("Depth"), text(state.value(QStringLiteral("depth"))));
        addRow(token, tr("Budget"), budgetText(state.value(QStringLiteral("budget")).toObject()));
        addRow(token, tr("Remaining"), budgetText(state.value(QStringLiteral("remaining")).toObject()));
        const QJsonObject risk = state.value(QStringLiteral("risk")).toObject();
        addRow(token, tr("Risk"), tr("%1 of ceiling %2").arg(risk.value(QStringLiteral("score")).toInt())
                                      .arg(risk.value(QStringLiteral("ceiling")).toInt()));
        addRow(token, tr("Issued"), text(state.value(QStringLiteral("issuedAt"))));
        addRow(token, tr("Expires"), text(state.value(QStringLiteral("expiresAt"))));
        addRow(token, tr("Status"), text(state.value(QStringLiteral("status"))));
    }
    m_properties->expandAll();
    m_properties->setUpdatesEnabled(true);

    if (node.kind == QLatin1String("execution"))
        loadRecords(name, {});
    else if (node.kind == QLatin1String("call"))
        // Sequences count per gateway: a database shared by gateways holds several of each.
        loadRecords(text(a.value(QStringLiteral("execution"))),
                    RecordRef{text(a.value(QStringLiteral("gateway"))), a.value(QStringLiteral("sequence")).toInteger()});
}

void LineageDetailsPanel::loadRecords(const QString &execution, const RecordRef &select)
{
    if (!m_client || execution.isEmpty())
        return;
    QUrlQuery filter;
    filter.addQueryItem(QStringLiteral("execution"), execution);
    filter.addQueryItem(QStringLiteral("descendants"), QStringLiteral("false"));
    m_entries.clear();
    m_loading.clear();
    m_records->addItem(tr("Loading…"));
    fetchRecords(filter, {}, m_request, select);
}

/// Pages through the execution's records until the selected one is in, or up to maxListed.
void LineageDetailsPanel::fetchRecords(const QUrlQuery &filter, const QString &cursor, int request, const RecordRef &select)
{
    m_client->queryAudit(filter, cursor, m_limits.pageSize, this, [this, filter, request, select](client::ClientResult<client::AuditPage> page) {
        if (request != m_request)
            return;
        if (!page) {
            m_loading.clear();
            m_records->clear();
            m_records->addItem(page.error().message());
            return;
        }
        bool found = false;
        for (client::AuditEntry &entry : page.value().entries) {
            found = found || select.matches(entry);
            m_loading.push_back(std::move(entry));
        }
        const bool more = !page->atEnd();
        if (more && !found && m_loading.size() < size_t(m_limits.maxListed))
            return fetchRecords(filter, page->nextCursor, request, select);
        listRecords(select, more);
    });
}

void LineageDetailsPanel::listRecords(const RecordRef &select, bool more)
{
    // Rows are entries: they change together, once every page is in.
    m_entries = std::exchange(m_loading, {});
    m_records->clear();
    int selectRow = -1;
    for (const client::AuditEntry &entry : m_entries) {
        const audit::AuditRecord &r = entry.record;
        QString line = QStringLiteral("#%1  %2  %3").arg(entry.sequence).arg(r.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")),
                                                          audit::eventTypeName(r.event));
        if (!r.action.isEmpty())
            line += u' ' + r.action;
        if (!r.decision.isEmpty())
            line += u' ' + r.decision;
        auto *item = new QListWidgetItem(line, m_records);
        if (r.decision == QLatin1String("deny"))
            item->setForeground(QColor(0xc6, 0x28, 0x28));
        if (select.matches(entry))
            selectRow = m_records->count() - 1;
    }
    if (more) {
        // Said, not hidden: the list holds the first records only.
        auto *item = new QListWidgetItem(tr("… more records follow (mandatectl audit query --execution lists them all)"), m_records);
        item->setFlags(Qt::NoItemFlags);
    }
    if (selectRow >= 0) {
        m_records->setCurrentRow(selectRow);
        m_records->scrollToItem(m_records->currentItem());
    }
}

void LineageDetailsPanel::showRecord(int row)
{
    if (row < 0 || row >= static_cast<int>(m_entries.size())) {
        m_recordJson->clear();
        m_showInGraph->setEnabled(false);
        return;
    }
    const client::AuditEntry &entry = m_entries[static_cast<size_t>(row)];
    m_recordJson->setPlainText(QString::fromUtf8(QJsonDocument(entry.exported).toJson(QJsonDocument::Indented)));
    m_showInGraph->setEnabled(entry.record.event != audit::EventType::Delegation);
}

} // namespace mandate::ui
