// SPDX-License-Identifier: Apache-2.0
#include "simulate/StoredRequestReader.h"

#include "simulate/JsonSpans.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <array>

namespace mandate::simulate {

namespace {

enum Member { Event, Time, Gateway, Root, Agent, Execution, Tool, Action, Decision, DecisionId, Policies, Errors, Details,
              Cedar, MemberCount };
constexpr std::array<QByteArrayView, MemberCount> kMembers{
    "mandate.event.type", "time", "mandate.gateway.id", "mandate.delegation.root", "mandate.agent.id",
    "mandate.execution.id", "mandate.tool.id", "mandate.action", "mandate.decision", "mandate.decision.id",
    "mandate.decision.policies", "mandate.decision.errors", "mandate.details", "mandate.cedar.request"};

enum CedarMember { Principal, CedarAction, Resource, Context, Entities, CedarMemberCount };
constexpr std::array<QByteArrayView, CedarMemberCount> kCedarMembers{"principal", "action", "resource", "context", "entities"};

/// Finds the members `names` lists in the object `text`; false on a duplicate of one of them
/// (Qt keeps the last, and that is not worth mirroring) or when JsonSpans refuses the text.
template<size_t N>
bool locate(QByteArrayView text, const std::array<QByteArrayView, N> &names, std::array<QByteArrayView, N> &found,
            qsizetype *members = nullptr)
{
    found.fill(QByteArrayView());
    qsizetype count = 0;
    return JsonSpans::forEachMember(text, [&](QByteArrayView key, QByteArrayView value) {
        ++count;
        if (members)
            *members = count;
        for (size_t i = 0; i < N; ++i) {
            if (key == names[i]) {
                if (found[i].data())
                    return false;
                found[i] = value;
                break;
            }
        }
        return true;
    });
}

/// QJsonValue::toString() of a member: empty unless it is a string.
QString text(QByteArrayView value)
{
    return value.isEmpty() ? QString() : JsonSpans::string(value).value_or(QString());
}

QStringList list(QByteArrayView value)
{
    QStringList out;
    if (JsonSpans::isArray(value))
        JsonSpans::forEachItem(value, [&](QByteArrayView item) {
            out << text(item);
            return true;
        });
    return out;
}

/// Qt::ISODateWithMs for the form the audit log writes ("2026-11-01T00:00:00.500Z"); other
/// forms, and out-of-range fields, go to Qt.
QDateTime utcTime(const QString &iso)
{
    const auto digits = [&](qsizetype at, qsizetype count) {
        int v = 0;
        for (qsizetype i = at; i < at + count; ++i) {
            const char16_t c = iso.at(i).unicode();
            if (c < u'0' || c > u'9')
                return -1;
            v = v * 10 + (c - u'0');
        }
        return v;
    };
    if (iso.size() == 24 && iso.at(4) == u'-' && iso.at(7) == u'-' && iso.at(10) == u'T' && iso.at(13) == u':'
        && iso.at(16) == u':' && iso.at(19) == u'.' && iso.at(23) == u'Z') {
        const QDate date(digits(0, 4), digits(5, 2), digits(8, 2));
        const QTime time(digits(11, 2), digits(14, 2), digits(17, 2), digits(20, 3));
        if (digits(0, 4) > 0 && date.isValid() && time.isValid())
            return QDateTime(date, time, Qt::UTC);
    }
    return QDateTime::fromString(iso, Qt::ISODateWithMs);
}

StoredCedarRequest::Span spanOf(const QByteArray &body, QByteArrayView part)
{
    if (!part.data())
        return {};
    return {qsizetype(part.data() - body.constData()), part.size()};
}

Error notReplayable(const QString &why)
{
    return Error{QStringLiteral("not_replayable"), why};
}

} // namespace

std::optional<Result<RecordedRequest>> StoredRequestReader::read(const audit::StoredRecord &stored)
{
    std::array<QByteArrayView, MemberCount> m;
    if (!locate(QByteArrayView(stored.body), kMembers, m))
        return std::nullopt;
    const std::optional<audit::EventType> event = audit::eventTypeFromName(text(m[Event]));
    if (!event)
        return Result<RecordedRequest>(Error{QStringLiteral("invalid"), QStringLiteral("audit record %1 has no known event type").arg(stored.sequence)});
    if (*event != audit::EventType::Decision)
        return Result<RecordedRequest>(notReplayable(QStringLiteral("not a decision record")));

    // RecordedRequest::fromAudit's rules, in its order.
    std::array<QByteArrayView, CedarMemberCount> c;
    qsizetype cedarMembers = 0;
    if (JsonSpans::isObject(m[Cedar]) && !locate(m[Cedar], kCedarMembers, c, &cedarMembers))
        return std::nullopt;
    if (cedarMembers == 0)
        return Result<RecordedRequest>(notReplayable(QStringLiteral("the call was refused before the policy step")));
    const QString decision = text(m[Decision]);
    QString step;
    if (decision != QLatin1String("allow") && JsonSpans::isObject(m[Details])) {
        const QJsonObject details = QJsonDocument::fromJson(m[Details].toByteArray()).object();
        step = details.value(QLatin1String("mandate.decision.step")).toString();
    }
    Result<bool> allowed = RecordedRequest::policyVerdict(decision, step);
    if (!allowed)
        return Result<RecordedRequest>(allowed.error());

    RecordedRequest r;
    r.policyAllowed = allowed.value();
    r.sequence = stored.sequence;
    r.gatewayId = stored.gatewayId.isEmpty() ? text(m[Gateway]) : stored.gatewayId;
    r.time = utcTime(text(m[Time]));
    r.human = text(m[Root]);
    r.agent = text(m[Agent]);
    r.execution = text(m[Execution]);
    r.tool = text(m[Tool]);
    r.action = text(m[Action]);
    r.decisionId = text(m[DecisionId]);
    r.policies = list(m[Policies]);
    r.errors = list(m[Errors]);
    StoredCedarRequest &cedar = r.stored;
    cedar.body = stored.body;
    cedar.whole = spanOf(stored.body, m[Cedar]);
    cedar.principal = spanOf(stored.body, c[Principal]);
    cedar.action = spanOf(stored.body, c[CedarAction]);
    cedar.resource = spanOf(stored.body, c[Resource]);
    cedar.context = spanOf(stored.body, c[Context]);
    cedar.entities = spanOf(stored.body, c[Entities]);
    return Result<RecordedRequest>(std::move(r));
}

} // namespace mandate::simulate
