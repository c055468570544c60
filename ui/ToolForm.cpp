// SPDX-License-Identifier: Apache-2.0
#include "ToolForm.h"

#include "UndoShortcutFilter.h"
#include "RegistryDocument.h"
#include "identity/Validator.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mandate::ui {

using identity::Tool;
using identity::Validator;

ToolForm::ToolForm(RegistryDocument *document, QWidget *parent)
    : RecordForm(document, QStringLiteral("toolError_"), parent)
{
    build();
    connect(document, &RegistryDocument::rowChanged, this, [this](RecordKind kind, int, quint64 uid) {
        if (kind == RecordKind::Tool && uid == m_uid)
            refresh();
    });
    connect(document, &RegistryDocument::rowRemoved, this, [this](RecordKind, int) { refresh(); });
    connect(document, &RegistryDocument::reset, this, [this] { refresh(); });
    UndoShortcutFilter::installOn(this);
    showTool(0);
}

void ToolForm::build()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    addTitle(outer, QStringLiteral("toolFormTitle"));
    m_body = new QWidget(this);
    QFormLayout *form = newForm(m_body);
    outer->addWidget(m_body);
    outer->addStretch();

    m_displayName = new QLineEdit(this);
    m_displayName->setObjectName(QStringLiteral("toolDisplayName"));
    addRow(form, tr("&Name:"), m_displayName, QStringLiteral("displayName"));
    connect(m_displayName, &QLineEdit::textEdited, this, [this](const QString &text) {
        edit(QStringLiteral("displayName"), [&](Tool &t) { t.displayName = text; });
    });
    m_description = new QPlainTextEdit(this);
    m_description->setObjectName(QStringLiteral("toolDescription"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 4);
    addRow(form, tr("&Description:"), m_description, QStringLiteral("description"));
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        const QString text = m_description->toPlainText();
        edit(QStringLiteral("description"), [&](Tool &t) { t.description = text; });
    });
    m_upstream = new QLineEdit(this);
    m_upstream->setObjectName(QStringLiteral("toolUpstream"));
    addRow(form, tr("&Upstream URL:"), m_upstream, QStringLiteral("upstream"));
    connect(m_upstream, &QLineEdit::textEdited, this, [this](const QString &text) {
        edit(QStringLiteral("upstream"), [&](Tool &t) { t.upstream = text.trimmed(); });
    });
    m_credential = new QLineEdit(this);
    m_credential->setObjectName(QStringLiteral("toolUpstreamCredential"));
    m_credential->setPlaceholderText(tr("none"));
    m_credential->setToolTip(tr("The name of a credential file in each gateway's upstream-credentials directory. "
                                "The firewall sends its header with every call to this tool; agents never see it."));
    addRow(form, tr("Upstream &credential:"), m_credential, QStringLiteral("upstreamCredential"));
    connect(m_credential, &QLineEdit::textEdited, this, [this](const QString &text) {
        edit(QStringLiteral("upstreamCredential"), [&](Tool &t) { t.upstreamCredential = text.trimmed(); });
    });
    m_risk = new QSpinBox(this);
    m_risk->setObjectName(QStringLiteral("toolRisk"));
    m_risk->setRange(0, Validator::MaxRiskWeight);
    addRow(form, tr("&Risk weight:"), m_risk, QStringLiteral("riskWeight"));
    connect(m_risk, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("riskWeight"), [&](Tool &t) { t.riskWeight = v; }); });
    m_rateLimit = new QSpinBox(this);
    m_rateLimit->setObjectName(QStringLiteral("toolRateLimit"));
    m_rateLimit->setRange(0, 1'000'000);
    m_rateLimit->setSuffix(tr(" / min"));
    m_rateLimit->setGroupSeparatorShown(true);
    addRow(form, tr("Rate &limit:"), m_rateLimit, QStringLiteral("rateLimitPerMinute"));
    connect(m_rateLimit, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("rateLimitPerMinute"), [&](Tool &t) { t.rateLimitPerMinute = v; }); });
    m_inspection = new QComboBox(this);
    m_inspection->setObjectName(QStringLiteral("toolInspection"));
    m_inspection->addItem(tr("Off"), QStringLiteral("off"));
    m_inspection->addItem(tr("Flag"), QStringLiteral("flag"));
    m_inspection->addItem(tr("Redact"), QStringLiteral("redact"));
    m_inspection->addItem(tr("Block"), QStringLiteral("block"));
    addRow(form, tr("Response &inspection:"), m_inspection, QStringLiteral("inspection"));
    connect(m_inspection, &QComboBox::activated, this, [this](int index) {
        const auto mode = Tool::inspectionFromName(m_inspection->itemData(index).toString());
        edit(QStringLiteral("inspection"), [&](Tool &t) { t.inspection = mode.value_or(Tool::Inspection::Flag); });
    });
    m_actions = new QListWidget(this);
    m_actions->setObjectName(QStringLiteral("toolActions"));
    m_actions->setSelectionMode(QAbstractItemView::NoSelection);
    m_actions->setFixedHeight(m_actions->fontMetrics().lineSpacing() * 5);
    addRow(form, tr("Actions:"), m_actions, QStringLiteral("actions"));
}

void ToolForm::showTool(quint64 uid)
{
    m_uid = uid;
    refresh();
}

void ToolForm::edit(const QString &field, const std::function<void(Tool &)> &apply)
{
    if (m_updating || m_readOnly)
        return;
    const ToolEntry *entry = m_document->tool(m_uid);
    if (!entry || entry->deleted)
        return;
    Tool tool = entry->record;
    apply(tool);
    m_document->editTool(m_uid, tool, field);
}

void ToolForm::refresh()
{
    const ToolEntry *entry = m_document->tool(m_uid);
    if (!entry) {
        m_uid = 0;
        m_title->setText(tr("Select a tool in the table."));
        m_body->hide();
        return;
    }
    m_body->show();
    const Tool &tool = entry->record;
    m_title->setText(entry->change == PendingChange::None
                         ? tr("Tool %1 — version %2 on the gateway").arg(tool.id).arg(entry->base ? entry->base->version : 0)
                         : tr("Tool %1 — modified locally").arg(tool.id));
    const bool editable = !m_readOnly && !entry->deleted;
    m_updating = true;
    if (m_displayName->text() != tool.displayName)
        m_displayName->setText(tool.displayName);
    m_displayName->setReadOnly(!editable);
    if (m_description->toPlainText() != tool.description)
        m_description->setPlainText(tool.description);
    m_description->setReadOnly(!editable);
    if (m_upstream->text() != tool.upstream)
        m_upstream->setText(tool.upstream);
    m_upstream->setReadOnly(!editable);
    if (m_credential->text() != tool.upstreamCredential)
        m_credential->setText(tool.upstreamCredential);
    m_credential->setReadOnly(!editable);
    m_risk->setValue(tool.riskWeight);
    m_risk->setReadOnly(!editable);
    m_rateLimit->setValue(tool.rateLimitPerMinute);
    m_rateLimit->setReadOnly(!editable);
    m_inspection->setCurrentIndex(m_inspection->findData(Tool::inspectionName(tool.inspection)));
    m_inspection->setEnabled(editable);
    m_actions->clear();
    for (const identity::ToolAction &action : tool.actions)
    {
        auto *item = new QListWidgetItem(QStringLiteral("%1 — %2 %3").arg(action.name, action.method, action.path), m_actions);
        item->setToolTip(item->text());
    }
    m_updating = false;

    QHash<QString, QStringList> errors;
    for (const Error &error : Validator::validate(tool))
        errors[error.path.section(u'[', 0, 0).section(u'.', 0, 0)].append(error.message);
    showErrors(errors);
}

} // namespace mandate::ui
