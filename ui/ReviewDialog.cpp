// SPDX-License-Identifier: Apache-2.0
#include "ReviewDialog.h"

#include "RecordTableModel.h"
#include "DocumentValidationContext.h"
#include "RecordDiff.h"
#include "RegistryDocument.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace mandate::ui {

using identity::Validator;

ReviewDialog::ReviewDialog(const RegistryDocument &document, QWidget *parent)
    : QDialog(parent), m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("reviewDialog"));
    setWindowTitle(tr("Review pending changes"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("These changes are only in this console. Pushing sends them to the gateway; "
                                "each one fails safely if the record changed there in the meantime."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_tree->setObjectName(QStringLiteral("reviewTree"));
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Record / field"), tr("On the gateway"), tr("After push")});
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    layout->addWidget(m_tree);

    auto *buttons = new QDialogButtonBox(this);
    m_push = buttons->addButton(tr("Push"), QDialogButtonBox::AcceptRole);
    m_push->setObjectName(QStringLiteral("pushButton"));
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    populate(document);
    m_push->setText(tr("Push %n change(s)", nullptr, m_changes));
    m_push->setEnabled(m_changes > 0 && m_invalid == 0);
    if (m_invalid > 0) {
        auto *warning = new QLabel(tr("%n record(s) are invalid; fix them before pushing.", nullptr, m_invalid), this);
        warning->setObjectName(QStringLiteral("reviewWarning"));
        warning->setStyleSheet(QStringLiteral("color: #d32f2f; font-weight: bold;"));
        layout->insertWidget(2, warning);
    }
    m_tree->expandAll();
    for (int column = 0; column < 3; ++column)
        m_tree->resizeColumnToContents(column);
    m_tree->setColumnWidth(0, qMax(m_tree->columnWidth(0), 220));
    resize(820, 520);
}

void ReviewDialog::populate(const RegistryDocument &document)
{
    const DocumentValidationContext context(document);
    const auto addRecord = [this](const QString &kind, const QString &id, PendingChange change, const QJsonObject &before,
                                  const QJsonObject &after, const std::vector<Error> &errors) {
        ++m_changes;
        const QString onGateway = before.isEmpty() ? tr("—") : tr("version %1").arg(before.value(QStringLiteral("version")).toInteger());
        auto *top = new QTreeWidgetItem(m_tree, {QStringLiteral("%1 %2").arg(kind, id), onGateway, RecordTableModel::changeName(change)});
        QFont bold = top->font(0);
        bold.setBold(true);
        top->setFont(0, bold);
        top->setFont(2, bold);
        if (change == PendingChange::Deleted) {
            new QTreeWidgetItem(top, {tr("(whole record)"), tr("exists"), tr("deleted")});
        } else {
            for (const RecordDiff::Field &field : RecordDiff::changes(before, after)) {
                if (change == PendingChange::Created && field.after.isEmpty())
                    continue;  // a new record's empty optional fields say nothing
                new QTreeWidgetItem(top, {field.name, field.before, field.after});
            }
        }
        if (!errors.empty()) {
            ++m_invalid;
            for (const Error &error : errors) {
                auto *item = new QTreeWidgetItem(top, {tr("invalid: %1").arg(error.path), error.message});
                item->setForeground(0, QColor(0xd3, 0x2f, 0x2f));
                item->setForeground(1, QColor(0xd3, 0x2f, 0x2f));
                item->setFirstColumnSpanned(false);
            }
        }
    };
    for (const ToolEntry &entry : document.tools()) {
        if (entry.change == PendingChange::None)
            continue;
        const std::vector<Error> errors = entry.deleted ? std::vector<Error>() : Validator::validate(entry.record);
        addRecord(tr("Tool"), entry.record.id, entry.change, entry.base ? entry.base->toJson() : QJsonObject(),
                  entry.record.toJson(), errors);
    }
    for (const AgentEntry &entry : document.agents()) {
        if (entry.change == PendingChange::None)
            continue;
        std::vector<Error> errors = entry.deleted ? std::vector<Error>() : Validator::validate(entry.record, context);
        if (!entry.deleted && context.agentIdCount(entry.record.id) > 1)
            errors.push_back(Error{QStringLiteral("invalid"), tr("another agent already has this id"), QStringLiteral("id")});
        addRecord(tr("Agent"), entry.record.id, entry.change, entry.base ? entry.base->toJson() : QJsonObject(),
                  entry.record.toJson(), errors);
    }
}

} // namespace mandate::ui
