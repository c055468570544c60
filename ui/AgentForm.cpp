// SPDX-License-Identifier: Apache-2.0
#include "AgentForm.h"

#include "DocumentValidationContext.h"
#include "UndoShortcutFilter.h"
#include "RegistryDocument.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mandate::ui {

using identity::Agent;
using identity::Amount;
using identity::Validator;

namespace {

QStringList splitList(const QString &text)
{
    QStringList items;
    for (const QString &item : text.split(u',', Qt::SkipEmptyParts)) {
        if (const QString trimmed = item.trimmed(); !trimmed.isEmpty())
            items.append(trimmed);
    }
    return items;
}

/// The form field a Validator path belongs to: "allowedActions[1]" → "allowedActions",
/// "maxBudget.calls" stays whole.
QString fieldOf(const QString &path)
{
    if (path.startsWith(QStringLiteral("maxBudget.")))
        return path.section(u'[', 0, 0);
    return path.section(u'[', 0, 0).section(u'.', 0, 0);
}

} // namespace

AgentForm::AgentForm(RegistryDocument *document, QWidget *parent)
    : RecordForm(document, QStringLiteral("error_"), parent)
{
    build();
    connect(document, &RegistryDocument::rowChanged, this, [this](RecordKind kind, int, quint64 uid) {
        if (kind == RecordKind::Agent && uid == m_uid)
            refresh();
        else if (kind == RecordKind::Tool)
            refresh();  // the known actions may have changed
    });
    connect(document, &RegistryDocument::rowRemoved, this, [this](RecordKind, int) { refresh(); });
    connect(document, &RegistryDocument::rowInserted, this, [this](RecordKind, int) { refresh(); });
    connect(document, &RegistryDocument::reset, this, [this] { refresh(); });
    UndoShortcutFilter::installOn(this);
    showAgent(0);
}

void AgentForm::build()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    addTitle(outer, QStringLiteral("agentFormTitle"));

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *page = new QWidget(scroll);
    QFormLayout *form = newForm(page);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    scroll->setWidget(page);
    outer->addWidget(scroll);
    m_body = scroll;

    m_id = new QLineEdit(page);
    m_id->setObjectName(QStringLiteral("agentId"));
    m_id->setToolTip(tr("Lowercase letters, digits and single hyphens. Fixed once the agent is on the gateway."));
    addRow(form, tr("&Id:"), m_id, QStringLiteral("id"));
    connect(m_id, &QLineEdit::textEdited, this, [this](const QString &text) { edit(QStringLiteral("id"), [&](Agent &a) { a.id = text; }); });

    m_displayName = new QLineEdit(page);
    m_displayName->setObjectName(QStringLiteral("agentDisplayName"));
    addRow(form, tr("&Name:"), m_displayName, QStringLiteral("displayName"));
    connect(m_displayName, &QLineEdit::textEdited, this, [this](const QString &text) {
        edit(QStringLiteral("displayName"), [&](Agent &a) { a.displayName = text; });
    });

    m_owner = new QComboBox(page);
    m_owner->setObjectName(QStringLiteral("agentOwner"));
    addRow(form, tr("&Owner:"), m_owner, QStringLiteral("owner"));
    connect(m_owner, &QComboBox::activated, this, [this](int index) {
        const QString owner = m_owner->itemData(index).toString();
        edit(QStringLiteral("owner"), [&](Agent &a) { a.owner = owner; });
    });

    m_description = new QPlainTextEdit(page);
    m_description->setObjectName(QStringLiteral("agentDescription"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 4);
    addRow(form, tr("&Description:"), m_description, QStringLiteral("description"));
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        const QString text = m_description->toPlainText();
        edit(QStringLiteral("description"), [&](Agent &a) { a.description = text; });
    });

    m_status = new QComboBox(page);
    m_status->setObjectName(QStringLiteral("agentStatus"));
    m_status->addItem(tr("Active"), QStringLiteral("active"));
    m_status->addItem(tr("Suspended"), QStringLiteral("suspended"));
    m_status->addItem(tr("Retired"), QStringLiteral("retired"));
    addRow(form, tr("&Status:"), m_status, QStringLiteral("status"));
    connect(m_status, &QComboBox::activated, this, [this](int index) {
        const auto status = Agent::statusFromName(m_status->itemData(index).toString());
        edit(QStringLiteral("status"), [&](Agent &a) { a.status = status.value_or(Agent::Status::Active); });
    });

    const auto spin = [page](const QString &name, int min, int max, const QString &suffix) {
        auto *box = new QSpinBox(page);
        box->setObjectName(name);
        box->setRange(min, max);
        box->setSuffix(suffix);
        box->setGroupSeparatorShown(true);
        return box;
    };
    m_trust = spin(QStringLiteral("agentTrust"), 0, Validator::MaxTrustLevel, QString());
    addRow(form, tr("&Trust level:"), m_trust, QStringLiteral("trustLevel"));
    connect(m_trust, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("trustLevel"), [&](Agent &a) { a.trustLevel = v; }); });

    m_depth = spin(QStringLiteral("agentDepth"), 1, Validator::MaxDelegationDepth, QString());
    addRow(form, tr("Max delegation &depth:"), m_depth, QStringLiteral("maxDelegationDepth"));
    connect(m_depth, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("maxDelegationDepth"), [&](Agent &a) { a.maxDelegationDepth = v; }); });

    const QString seconds = tr(" s");
    m_defaultTtl = spin(QStringLiteral("agentDefaultTtl"), 0, 7 * 24 * 3600, seconds);
    addRow(form, tr("Default TTL:"), m_defaultTtl, QStringLiteral("defaultTtl"));
    connect(m_defaultTtl, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("defaultTtl"), [&](Agent &a) { a.defaultTtlSecs = v; }); });

    m_maxTtl = spin(QStringLiteral("agentMaxTtl"), 0, 7 * 24 * 3600, seconds);
    addRow(form, tr("Maximum TTL:"), m_maxTtl, QStringLiteral("maxTtl"));
    connect(m_maxTtl, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("maxTtl"), [&](Agent &a) { a.maxTtlSecs = v; }); });

    m_calls = spin(QStringLiteral("agentCalls"), 0, static_cast<int>(Validator::MaxCalls) * 10, QString());
    addRow(form, tr("Budget: &calls:"), m_calls, QStringLiteral("maxBudget.calls"));
    connect(m_calls, &QSpinBox::valueChanged, this, [this](int v) { edit(QStringLiteral("maxBudget.calls"), [&](Agent &a) { a.maxBudget.calls = v; }); });

    m_tokens = new QLineEdit(page);
    m_tokens->setObjectName(QStringLiteral("agentTokens"));
    addRow(form, tr("Budget: model tokens:"), m_tokens, QStringLiteral("maxBudget.tokens"));
    connect(m_tokens, &QLineEdit::textEdited, this, [this](const QString &text) {
        bool ok = false;
        const qint64 tokens = text.trimmed().toLongLong(&ok);
        if (!ok || tokens < 0) {
            m_parseErrors.insert(QStringLiteral("maxBudget.tokens"), tr("must be a whole number"));
            refresh();
            return;
        }
        m_parseErrors.remove(QStringLiteral("maxBudget.tokens"));
        edit(QStringLiteral("maxBudget.tokens"), [&](Agent &a) { a.maxBudget.tokens = tokens; });
        refresh();
    });

    m_amount = new QLineEdit(page);
    m_amount->setObjectName(QStringLiteral("agentAmount"));
    m_amount->setPlaceholderText(tr("e.g. 1000.00"));
    addRow(form, tr("Budget: &amount:"), m_amount, QStringLiteral("maxBudget.amount"));
    connect(m_amount, &QLineEdit::textEdited, this, [this](const QString &text) {
        const std::optional<Amount> amount = Amount::parse(text.trimmed());
        if (!amount) {
            m_parseErrors.insert(QStringLiteral("maxBudget.amount"), tr("must be an amount with at most four decimals, such as 250.00"));
            refresh();
            return;
        }
        m_parseErrors.remove(QStringLiteral("maxBudget.amount"));
        edit(QStringLiteral("maxBudget.amount"), [&](Agent &a) { a.maxBudget.amount = *amount; });
        refresh();
    });

    m_actions = new QListWidget(page);
    m_actions->setObjectName(QStringLiteral("agentActions"));
    m_actions->setMinimumHeight(m_actions->fontMetrics().lineSpacing() * 5);
    m_actions->setMaximumHeight(m_actions->fontMetrics().lineSpacing() * 9);
    addRow(form, tr("Allowed a&ctions:"), m_actions, QStringLiteral("allowedActions"));
    connect(m_actions, &QListWidget::itemChanged, this, [this](QListWidgetItem *) {
        QStringList checked;
        for (int i = 0; i < m_actions->count(); ++i) {
            if (m_actions->item(i)->checkState() == Qt::Checked)
                checked.append(m_actions->item(i)->text());
        }
        edit(QStringLiteral("allowedActions"), [&](Agent &a) { a.allowedActions = checked; });
    });

    m_delegators = new QLineEdit(page);
    m_delegators->setObjectName(QStringLiteral("agentDelegators"));
    m_delegators->setPlaceholderText(tr("agents that may delegate to this one, comma-separated"));
    addRow(form, tr("D&elegators:"), m_delegators, QStringLiteral("delegators"));
    connect(m_delegators, &QLineEdit::textEdited, this, [this](const QString &text) {
        edit(QStringLiteral("delegators"), [&](Agent &a) { a.delegators = splitList(text); });
    });
}

void AgentForm::showAgent(quint64 uid)
{
    if (uid != m_uid)
        m_parseErrors.clear();
    m_uid = uid;
    refresh();
}

void AgentForm::edit(const QString &field, const std::function<void(Agent &)> &apply)
{
    if (m_updating || m_readOnly)
        return;
    const AgentEntry *entry = m_document->agent(m_uid);
    if (!entry || entry->deleted)
        return;
    Agent agent = entry->record;
    apply(agent);
    m_document->editAgent(m_uid, agent, field);
}

void AgentForm::validate(const Agent &agent)
{
    m_errors.clear();
    const DocumentValidationContext context(*m_document);
    for (const Error &error : Validator::validate(agent, context))
        m_errors[fieldOf(error.path)].append(error.message);
    if (context.agentIdCount(agent.id) > 1)
        m_errors[QStringLiteral("id")].append(tr("another agent already has the id \"%1\"").arg(agent.id));
    for (auto it = m_parseErrors.cbegin(); it != m_parseErrors.cend(); ++it)
        m_errors[it.key()].prepend(it.value());
    showErrors(m_errors);
}

void AgentForm::refresh()
{
    const AgentEntry *entry = m_document->agent(m_uid);
    if (!entry) {
        m_uid = 0;
        m_title->setText(tr("Select an agent in the table, or create one."));
        m_body->hide();
        return;
    }
    m_body->show();
    const Agent &agent = entry->record;
    QString state;
    switch (entry->change) {
    case PendingChange::None: state = tr("version %1 on the gateway").arg(entry->base ? entry->base->version : 0); break;
    case PendingChange::Created: state = tr("new, not pushed yet"); break;
    case PendingChange::Modified: state = tr("modified locally, based on version %1").arg(entry->base ? entry->base->version : 0); break;
    case PendingChange::Deleted: state = tr("deleted locally, not pushed yet"); break;
    }
    m_title->setText(m_readOnly ? tr("Agent %1 — %2 (read-only for your role)").arg(agent.id, state)
                                : tr("Agent %1 — %2").arg(agent.id, state));

    const bool editable = !m_readOnly && !entry->deleted;
    m_updating = true;
    const auto setText = [](QLineEdit *edit, const QString &text) {
        if (edit->text() != text)  // keeps the cursor where the user is typing
            edit->setText(text);
    };
    setText(m_id, agent.id);
    m_id->setReadOnly(!editable || entry->base.has_value());
    setText(m_displayName, agent.displayName);
    m_displayName->setReadOnly(!editable);

    m_owner->clear();
    for (const identity::Human &human : m_document->humans())
        m_owner->addItem(human.displayName.isEmpty() ? human.id : QStringLiteral("%1 (%2)").arg(human.displayName, human.id), human.id);
    if (m_owner->findData(agent.owner) < 0)
        m_owner->addItem(agent.owner, agent.owner);
    m_owner->setCurrentIndex(m_owner->findData(agent.owner));
    m_owner->setEnabled(editable);

    if (m_description->toPlainText() != agent.description)
        m_description->setPlainText(agent.description);
    m_description->setReadOnly(!editable);
    m_status->setCurrentIndex(m_status->findData(Agent::statusName(agent.status)));
    m_status->setEnabled(editable);
    for (QSpinBox *box : {m_trust, m_depth, m_defaultTtl, m_maxTtl, m_calls})
        box->setReadOnly(!editable);
    m_trust->setValue(agent.trustLevel);
    m_depth->setValue(agent.maxDelegationDepth);
    m_defaultTtl->setValue(static_cast<int>(agent.defaultTtlSecs));
    m_maxTtl->setValue(static_cast<int>(agent.maxTtlSecs));
    m_calls->setValue(static_cast<int>(agent.maxBudget.calls));
    if (!m_parseErrors.contains(QStringLiteral("maxBudget.tokens")))
        setText(m_tokens, QString::number(agent.maxBudget.tokens));
    m_tokens->setReadOnly(!editable);
    if (!m_parseErrors.contains(QStringLiteral("maxBudget.amount"))) {
        const std::optional<Amount> typed = Amount::parse(m_amount->text().trimmed());
        if (!typed || *typed != agent.maxBudget.amount)
            setText(m_amount, agent.maxBudget.amount.toString());
    }
    m_amount->setReadOnly(!editable);

    QStringList actions = m_document->knownActions();
    for (const QString &action : agent.allowedActions) {
        if (!actions.contains(action))
            actions.append(action);  // unknown actions stay visible so they can be unchecked
    }
    m_actions->clear();
    for (const QString &action : std::as_const(actions)) {
        auto *item = new QListWidgetItem(action, m_actions);
        item->setFlags(editable ? Qt::ItemIsEnabled | Qt::ItemIsUserCheckable : Qt::ItemIsEnabled);
        item->setCheckState(agent.allowedActions.contains(action) ? Qt::Checked : Qt::Unchecked);
    }
    setText(m_delegators, agent.delegators.join(QStringLiteral(", ")));
    m_delegators->setReadOnly(!editable);
    m_updating = false;

    validate(agent);
}

} // namespace mandate::ui
