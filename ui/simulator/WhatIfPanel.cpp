// SPDX-License-Identifier: Apache-2.0
#include "WhatIfPanel.h"

#include "SimulatorColors.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace mandate::ui {

namespace {

QPlainTextEdit *jsonEditor(const QString &objectName, QWidget *parent)
{
    auto *editor = new QPlainTextEdit(parent);
    editor->setObjectName(objectName);
    editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    return editor;
}

QString pretty(const QJsonValue &value)
{
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

Result<QJsonValue> jsonFrom(const QString &text, const QString &what, bool array)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return Error{QStringLiteral("invalid"), WhatIfPanel::tr("%1: %2 at offset %3").arg(what, error.errorString()).arg(error.offset)};
    if (array ? !document.isArray() : !document.isObject())
        return Error{QStringLiteral("invalid"), array ? WhatIfPanel::tr("%1: expected a JSON array").arg(what)
                                                      : WhatIfPanel::tr("%1: expected a JSON object").arg(what)};
    return array ? QJsonValue(document.array()) : QJsonValue(document.object());
}

} // namespace

WhatIfPanel::WhatIfPanel(ReplayerSource replayer, QWidget *parent)
    : QWidget(parent), m_replayer(std::move(replayer))
{
    setObjectName(QStringLiteral("whatIfPanel"));
    auto *layout = new QVBoxLayout(this);

    auto *startRow = new QHBoxLayout;
    auto *startLabel = new QLabel(tr("Start from a recorded request:"), this);
    startRow->addWidget(startLabel);
    m_recordedBox = new QComboBox(this);
    m_recordedBox->setObjectName(QStringLiteral("whatIfRecorded"));
    m_recordedBox->setPlaceholderText(tr("Replay first to pick from recorded traffic"));
    m_recordedBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_recordedBox->setMinimumContentsLength(40);
    startLabel->setBuddy(m_recordedBox);
    startRow->addWidget(m_recordedBox, 1);
    layout->addLayout(startRow);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    auto *form = new QGroupBox(tr("Request"), splitter);
    auto *formLayout = new QFormLayout(form);
    m_principal = new QLineEdit(form);
    m_principal->setObjectName(QStringLiteral("whatIfPrincipal"));
    m_principal->setPlaceholderText(QStringLiteral("Execution::\"exe-…\""));
    m_action = new QLineEdit(form);
    m_action->setObjectName(QStringLiteral("whatIfAction"));
    m_action->setPlaceholderText(QStringLiteral("Action::\"refund:create\""));
    m_resource = new QLineEdit(form);
    m_resource->setObjectName(QStringLiteral("whatIfResource"));
    m_resource->setPlaceholderText(QStringLiteral("Tool::\"refund\""));
    formLayout->addRow(tr("&Principal:"), m_principal);
    formLayout->addRow(tr("&Action:"), m_action);
    formLayout->addRow(tr("&Resource:"), m_resource);
    auto *json = new QTabWidget(form);
    m_context = jsonEditor(QStringLiteral("whatIfContext"), json);
    m_context->setPlainText(QStringLiteral("{}"));
    m_entities = jsonEditor(QStringLiteral("whatIfEntities"), json);
    m_entities->setPlainText(QStringLiteral("[]"));
    json->addTab(m_context, tr("Context"));
    json->addTab(m_entities, tr("Entities"));
    formLayout->addRow(json);
    m_decide = new QPushButton(tr("&Decide under the candidate"), form);
    m_decide->setObjectName(QStringLiteral("whatIfDecide"));
    m_decide->setDefault(true);
    formLayout->addRow(m_decide);
    splitter->addWidget(form);

    auto *result = new QGroupBox(tr("Decision"), splitter);
    auto *resultLayout = new QVBoxLayout(result);
    m_verdict = new QLabel(tr("—"), result);
    m_verdict->setObjectName(QStringLiteral("whatIfVerdict"));
    QFont big = m_verdict->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    m_verdict->setFont(big);
    resultLayout->addWidget(m_verdict);
    m_explanation = new QLabel(tr("Fill in a request, or start from a recorded one, and decide it."), result);
    m_explanation->setObjectName(QStringLiteral("whatIfExplanation"));
    m_explanation->setWordWrap(true);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    resultLayout->addWidget(m_explanation);
    m_recordedVerdict = new QLabel(result);
    m_recordedVerdict->setObjectName(QStringLiteral("whatIfRecordedVerdict"));
    m_recordedVerdict->setWordWrap(true);
    resultLayout->addWidget(m_recordedVerdict);
    resultLayout->addWidget(new QLabel(tr("<b>Determining policies</b>"), result));
    m_policies = new QListWidget(result);
    m_policies->setObjectName(QStringLiteral("whatIfPolicies"));
    resultLayout->addWidget(m_policies, 1);
    resultLayout->addWidget(new QLabel(tr("<b>Errors</b> (an erroring policy is skipped)"), result));
    m_errors = new QListWidget(result);
    m_errors->setObjectName(QStringLiteral("whatIfErrors"));
    resultLayout->addWidget(m_errors, 1);
    splitter->addWidget(result);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_decide, &QPushButton::clicked, this, &WhatIfPanel::decide);
    connect(m_recordedBox, &QComboBox::activated, this, [this](int index) {
        if (index >= 0 && size_t(index) < m_recorded.size())
            loadRecorded(m_recorded[size_t(index)]);
    });
}

void WhatIfPanel::setRecorded(const std::vector<simulate::RecordedRequest> &recorded)
{
    m_recorded = recorded;
    m_recordedBox->clear();
    for (const simulate::RecordedRequest &request : m_recorded) {
        m_recordedBox->addItem(tr("%1 · %2 · %3 · %4")
                                   .arg(request.time.toLocalTime().toString(QStringLiteral("HH:mm:ss")), request.agent,
                                        request.action, request.policyAllowed ? tr("allowed") : tr("denied")));
    }
    m_recordedBox->setPlaceholderText(m_recorded.empty() ? tr("No recorded requests in the last replay")
                                                         : tr("Pick one of %n recorded request(s)", nullptr, int(m_recorded.size())));
    m_recordedBox->setCurrentIndex(-1);
}

QString WhatIfPanel::entityToText(const QJsonValue &uid)
{
    QJsonObject object = uid.toObject();
    if (object.contains(QStringLiteral("__entity")))
        object = object.value(QStringLiteral("__entity")).toObject();
    QString id = object.value(QStringLiteral("id")).toString();
    id.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    return object.value(QStringLiteral("type")).toString() + QStringLiteral("::\"") + id + u'"';
}

Result<QJsonObject> WhatIfPanel::entityFromText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.startsWith(u'{')) {
        Result<QJsonValue> json = jsonFrom(trimmed, tr("entity"), false);
        if (!json)
            return json.error();
        return json->toObject();
    }
    static const QRegularExpression uid(QStringLiteral(R"re(^([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)::"((?:[^"\\]|\\.)*)"$)re"));
    const QRegularExpressionMatch match = uid.match(trimmed);
    if (!match.hasMatch())
        return Error{QStringLiteral("invalid"), tr("“%1” is not an entity like Tool::\"refund\"").arg(trimmed)};
    QString id = match.captured(2);
    id.replace(QStringLiteral("\\\""), QStringLiteral("\"")).replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
    return QJsonObject{{QStringLiteral("type"), match.captured(1)}, {QStringLiteral("id"), id}};
}

Result<QJsonObject> WhatIfPanel::request() const
{
    QJsonObject request;
    for (const auto &[field, edit, label] : {std::tuple{QStringLiteral("principal"), m_principal, tr("principal")},
                                             std::tuple{QStringLiteral("action"), m_action, tr("action")},
                                             std::tuple{QStringLiteral("resource"), m_resource, tr("resource")}}) {
        Result<QJsonObject> uid = entityFromText(edit->text());
        if (!uid)
            return Error{QStringLiteral("invalid"), label + QStringLiteral(": ") + uid.error().message};
        request.insert(field, uid.value());
    }
    Result<QJsonValue> context = jsonFrom(m_context->toPlainText(), tr("context"), false);
    if (!context)
        return context.error();
    request.insert(QStringLiteral("context"), context.value());
    Result<QJsonValue> entities = jsonFrom(m_entities->toPlainText(), tr("entities"), true);
    if (!entities)
        return entities.error();
    request.insert(QStringLiteral("entities"), entities.value());
    return request;
}

void WhatIfPanel::loadRecorded(const simulate::RecordedRequest &recorded)
{
    m_loaded = recorded;
    const QJsonObject &cedar = recorded.cedarRequest;
    m_principal->setText(entityToText(cedar.value(QStringLiteral("principal"))));
    m_action->setText(entityToText(cedar.value(QStringLiteral("action"))));
    m_resource->setText(entityToText(cedar.value(QStringLiteral("resource"))));
    m_context->setPlainText(pretty(cedar.value(QStringLiteral("context"))));
    m_entities->setPlainText(pretty(cedar.value(QStringLiteral("entities"))));
    decide();
}

QString WhatIfPanel::verdictText(const simulate::Outcome &outcome)
{
    const QString policies = outcome.policies.join(QStringLiteral(", "));
    if (outcome.allowed)
        return tr("Allowed by %1.").arg(policies);
    if (!outcome.policies.isEmpty())
        return tr("Forbidden by %1: a forbid policy matched, and forbid overrides any permit.").arg(policies);
    return tr("Denied because no permit policy matched (Cedar denies by default).");
}

void WhatIfPanel::decide()
{
    Result<QJsonObject> built = request();
    if (!built) {
        showProblem(built.error().message);
        return;
    }
    if (m_loaded && built.value() != m_loaded->cedarRequest)
        m_loaded.reset();  // edited: the recorded decision no longer describes this request
    Result<simulate::Replayer> replayer = m_replayer();
    if (!replayer) {
        showProblem(tr("The candidate policy set cannot decide: %1").arg(replayer.error().toString()));
        return;
    }
    Result<simulate::Outcome> outcome = replayer->decide(built.value());
    if (!outcome) {
        showProblem(tr("The request does not fit the schema: %1").arg(outcome.error().toString()));
        return;
    }
    showOutcome(outcome.value());
}

void WhatIfPanel::showOutcome(const simulate::Outcome &outcome)
{
    m_outcome = outcome;
    m_verdict->setText(outcome.allowed ? tr("ALLOW") : tr("DENY"));
    QPalette colours = m_verdict->palette();
    colours.setColor(QPalette::WindowText, outcome.allowed ? SimulatorColors::newlyAllowed() : SimulatorColors::newlyDenied());
    m_verdict->setPalette(colours);
    QString explanation = verdictText(outcome);
    if (!outcome.explanation.isEmpty())
        explanation += QStringLiteral("\n") + tr("Evaluator: %1").arg(outcome.explanation);
    m_explanation->setText(explanation);
    m_policies->clear();
    m_policies->addItems(outcome.policies);
    if (outcome.policies.isEmpty())
        m_policies->addItem(tr("(none)"));
    m_errors->clear();
    m_errors->addItems(outcome.errors);
    if (outcome.errors.isEmpty())
        m_errors->addItem(tr("(none)"));
    if (m_loaded) {
        const QString recorded = m_loaded->policyAllowed ? tr("allowed") : tr("denied");
        const QString by = m_loaded->policies.isEmpty() ? tr("no determining policy") : m_loaded->policies.join(QStringLiteral(", "));
        const bool same = m_loaded->policyAllowed == outcome.allowed;
        m_recordedVerdict->setText(same ? tr("Recorded: %1 (%2) — the candidate decides the same.").arg(recorded, by)
                                        : tr("Recorded: %1 (%2) — the candidate changes this decision.").arg(recorded, by));
    } else {
        m_recordedVerdict->clear();
    }
}

void WhatIfPanel::showProblem(const QString &message)
{
    m_outcome.reset();
    m_verdict->setText(tr("—"));
    m_verdict->setPalette(palette());
    m_explanation->setText(message);
    m_recordedVerdict->clear();
    m_policies->clear();
    m_errors->clear();
}

} // namespace mandate::ui
