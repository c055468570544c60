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
    struct State
    {
        const std::array<QByteArrayView, N> &names;
        std::array<QByteArrayView, N> &found;
        qsizetype count = 0;
    } state{names, found};
    // One pointer captured: std::function keeps it without allocating.
    const bool ok = JsonSpans::forEachMember(text, [s = &state](QByteArrayView key, QByteArrayView value) {
        ++s->count;
        for (size_t i = 0; i < N; ++i) {
            if (key == s->names[i]) {
                if (s->found[i].data())
                    return false;
                s->found[i] = value;
                break;
            }
        }
        return true;
    });
    if (members)
        *members = state.count;
    return ok;
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

/// utcTime for a member's bytes: the audit log's own form read without a QString.
QDateTime utcTime(QByteArrayView value)
{
    // "2026-11-01T00:00:00.500Z", quotes included.
    const auto digits = [&](qsizetype at, qsizetype count) {
        int v = 0;
        for (qsizetype i = at; i < at + count; ++i) {
            const char c = value[i];
            if (c < '0' || c > '9')
                return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    };
    if (value.size() == 26 && value[0] == '"' && value[25] == '"' && value[5] == '-' && value[8] == '-' && value[11] == 'T'
        && value[14] == ':' && value[17] == ':' && value[20] == '.' && value[24] == 'Z') {
        const int year = digits(1, 4);
        const QDate date(year, digits(6, 2), digits(9, 2));
        const QTime time(digits(12, 2), digits(15, 2), digits(18, 2), digits(21, 3));
        if (year > 0 && date.isValid() && time.isValid())
            return QDateTime(date, time, Qt::UTC);
    }
    return utcTime(text(value));
}

StoredCedarRequest::Span spanOf(const QByteArray &buffer, QByteArrayView part)
{
    if (!part.data())
        return {};
    return {qsizetype(part.data() - buffer.constData()), part.size()};
}

Error notReplayable(const QString &why)
{
    return Error{QStringLiteral("not_replayable"), why};
}

/// Decodes each member through a Strings cache, or directly without one.
struct Decoder
{
    StoredRequestReader::Strings *strings = nullptr;
    QString text(QByteArrayView value) const { return strings ? strings->text(value) : simulate::text(value); }
    QStringList list(QByteArrayView value) const { return strings ? strings->list(value) : simulate::list(value); }
};

std::optional<Result<RecordedRequest>> readBody(const QByteArray &buffer, QByteArrayView body, qint64 sequence,
                                                const QString &gatewayId, const Decoder &decode)
{
    std::array<QByteArrayView, MemberCount> m;
    if (!locate(body, kMembers, m))
        return std::nullopt;
    const std::optional<audit::EventType> event = audit::eventTypeFromName(decode.text(m[Event]));
    if (!event)
        return Result<RecordedRequest>(Error{QStringLiteral("invalid"), QStringLiteral("audit record %1 has no known event type").arg(sequence)});
    if (*event != audit::EventType::Decision)
        return Result<RecordedRequest>(notReplayable(QStringLiteral("not a decision record")));

    // RecordedRequest::fromAudit's rules, in its order.
    std::array<QByteArrayView, CedarMemberCount> c;
    qsizetype cedarMembers = 0;
    if (JsonSpans::isObject(m[Cedar]) && !locate(m[Cedar], kCedarMembers, c, &cedarMembers))
        return std::nullopt;
    if (cedarMembers == 0)
        return Result<RecordedRequest>(notReplayable(QStringLiteral("the call was refused before the policy step")));
    const QString decision = decode.text(m[Decision]);
    QString step;
    if (decision != QLatin1String("allow") && JsonSpans::isObject(m[Details])) {
        static constexpr std::array<QByteArrayView, 1> kStep{"mandate.decision.step"};
        std::array<QByteArrayView, 1> found;
        if (locate(m[Details], kStep, found)) {
            step = decode.text(found[0]);
        } else {
            // A duplicate step (Qt keeps the last one): read as Qt reads it.
            const QJsonObject details = QJsonDocument::fromJson(m[Details].toByteArray()).object();
            step = details.value(QLatin1String("mandate.decision.step")).toString();
        }
    }
    Result<bool> allowed = RecordedRequest::policyVerdict(decision, step);
    if (!allowed)
        return Result<RecordedRequest>(allowed.error());

    RecordedRequest r;
    r.policyAllowed = allowed.value();
    r.sequence = sequence;
    r.gatewayId = gatewayId.isEmpty() ? decode.text(m[Gateway]) : gatewayId;
    r.time = m[Time].isEmpty() ? QDateTime::fromString(QString(), Qt::ISODateWithMs) : utcTime(m[Time]);
    r.human = decode.text(m[Root]);
    r.agent = decode.text(m[Agent]);
    r.execution = decode.text(m[Execution]);
    r.tool = decode.text(m[Tool]);
    r.action = decode.text(m[Action]);
    r.decisionId = text(m[DecisionId]);
    r.policies = decode.list(m[Policies]);
    r.errors = decode.list(m[Errors]);
    StoredCedarRequest &cedar = r.stored;
    cedar.body = buffer;
    cedar.whole = spanOf(buffer, m[Cedar]);
    cedar.principal = spanOf(buffer, c[Principal]);
    cedar.action = spanOf(buffer, c[CedarAction]);
    cedar.resource = spanOf(buffer, c[Resource]);
    cedar.context = spanOf(buffer, c[Context]);
    cedar.entities = spanOf(buffer, c[Entities]);
    return Result<RecordedRequest>(std::move(r));
}

} // namespace

template<typename T, typename Decode>
T StoredRequestReader::Strings::cached(QHash<QByteArray, T> &cache, QByteArrayView value, Decode decode)
{
    if (value.isEmpty())
        return T();
    if (const auto it = cache.constFind(QByteArray::fromRawData(value.data(), value.size())); it != cache.constEnd())
        return it.value();
    if (cache.size() >= kMaxEntries)
        cache.clear();
    return cache.insert(value.toByteArray(), decode(value)).value();
}

QString StoredRequestReader::Strings::text(QByteArrayView value)
{
    return cached(m_texts, value, [](QByteArrayView v) { return simulate::text(v); });
}

QStringList StoredRequestReader::Strings::list(QByteArrayView value)
{
    return cached(m_lists, value, [](QByteArrayView v) { return simulate::list(v); });
}

std::optional<Result<RecordedRequest>> StoredRequestReader::read(const audit::StoredRecord &stored)
{
    return readBody(stored.body, QByteArrayView(stored.body), stored.sequence, stored.gatewayId, Decoder{});
}

std::optional<Result<RecordedRequest>> StoredRequestReader::read(const QByteArray &buffer, QByteArrayView body, qint64 sequence,
                                                                 const QString &gatewayId, Strings &strings)
{
    return readBody(buffer, body, sequence, gatewayId, Decoder{&strings});
}

} // namespace mandate::simulate
