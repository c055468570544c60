// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditRecord.h"

#include "common/Hex.h"
#include "json/JsonWriter.h"

#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace mandate::audit {

namespace {

constexpr std::array kEventNames{"delegation", "decision", "shadow_decision", "forward", "flagged_response",
                                 "revocation", "expiry", "admin_change"};

// Attribute keys (docs/audit-schema.md). Kept in one place so that export and parse agree;
// AuditColumns names the ones copied into the database's query columns.
const QString kTime = QStringLiteral("time");
const QString kTrace = QStringLiteral("trace_id");
const QString kSpan = QStringLiteral("span_id");
const QString kGateway = QStringLiteral("mandate.gateway.id");
const QString kEvent = QStringLiteral("mandate.event.type");
const QString kRoot = QStringLiteral("mandate.delegation.root");
const QString kChain = QStringLiteral("mandate.delegation.chain");
const QString kAgent = QStringLiteral("mandate.agent.id");
const QString kExecution = QStringLiteral("mandate.execution.id");
const QString kParent = QStringLiteral("mandate.execution.parent_id");
const QString kPurpose = QStringLiteral("mandate.execution.purpose");
const QString kTool = QStringLiteral("mandate.tool.id");
const QString kAction = QStringLiteral("mandate.action");
const QString kResource = QStringLiteral("mandate.resource");
const QString kDecision = QStringLiteral("mandate.decision");
const QString kDecisionId = QStringLiteral("mandate.decision.id");
const QString kPolicies = QStringLiteral("mandate.decision.policies");
const QString kErrors = QStringLiteral("mandate.decision.errors");
const QString kRiskBefore = QStringLiteral("mandate.risk.before");
const QString kRiskAfter = QStringLiteral("mandate.risk.after");
const QString kBudgetBefore = QStringLiteral("mandate.budget.before");
const QString kBudgetAfter = QStringLiteral("mandate.budget.after");
const QString kLatency = QStringLiteral("mandate.latency_us");
const QString kReason = QStringLiteral("mandate.reason");
const QString kUpstream = QStringLiteral("mandate.upstream.status");
const QString kCedar = QStringLiteral("mandate.cedar.request");
const QString kActor = QStringLiteral("mandate.admin.actor");
const QString kTarget = QStringLiteral("mandate.admin.target");
const QString kBefore = QStringLiteral("mandate.admin.before");
const QString kAfter = QStringLiteral("mandate.admin.after");
const QString kDetails = QStringLiteral("mandate.details");

void putString(QJsonObject &o, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(key, value);
}

void putObject(QJsonObject &o, const QString &key, const QJsonObject &value)
{
    if (!value.isEmpty())
        o.insert(key, value);
}

void putList(QJsonObject &o, const QString &key, const QStringList &value)
{
    if (!value.isEmpty())
        o.insert(key, QJsonArray::fromStringList(value));
}

/// Reads typed members, remembering the first type error.
class Reader
{
public:
    explicit Reader(const QJsonObject &o) : m_o(o) {}

    QString string(const QString &key)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined())
            return {};
        if (!v.isString())
            fail(key, QStringLiteral("a string"));
        return v.toString();
    }
    QJsonObject object(const QString &key)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined())
            return {};
        if (!v.isObject())
            fail(key, QStringLiteral("an object"));
        return v.toObject();
    }
    QStringList list(const QString &key)
    {
        const QJsonValue v = m_o.value(key);
        QStringList out;
        if (v.isUndefined())
            return out;
        if (!v.isArray()) {
            fail(key, QStringLiteral("an array of strings"));
            return out;
        }
        for (const QJsonValue &item : v.toArray()) {
            if (!item.isString())
                fail(key, QStringLiteral("an array of strings"));
            out.append(item.toString());
        }
        return out;
    }
    std::optional<double> number(const QString &key)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined())
            return std::nullopt;
        if (!v.isDouble()) {
            fail(key, QStringLiteral("a number"));
            return std::nullopt;
        }
        return v.toDouble();
    }
    std::optional<qint64> integer(const QString &key)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined())
            return std::nullopt;
        if (!v.isDouble() || v.toDouble() != static_cast<double>(v.toInteger())) {
            fail(key, QStringLiteral("an integer"));
            return std::nullopt;
        }
        return v.toInteger();
    }
    const std::optional<Error> &error() const { return m_error; }
    void fail(const QString &key, const QString &expected)
    {
        if (!m_error)
            m_error = Error{QStringLiteral("invalid"), QStringLiteral("%1 must be %2").arg(key, expected), key};
    }

private:
    const QJsonObject &m_o;
    std::optional<Error> m_error;
};

} // namespace

QString eventTypeName(EventType type)
{
    return QLatin1String(kEventNames.at(static_cast<size_t>(type)));
}

std::optional<EventType> eventTypeFromName(QStringView name)
{
    for (size_t i = 0; i < kEventNames.size(); ++i) {
        if (name == QLatin1String(kEventNames[i]))
            return static_cast<EventType>(i);
    }
    return std::nullopt;
}

QJsonObject AuditRecord::toJson() const
{
    QJsonObject o;
    o.insert(kTime, time.toUTC().toString(Qt::ISODateWithMs));
    putString(o, kGateway, gatewayId);
    putString(o, kTrace, traceId);
    putString(o, kSpan, spanId);
    o.insert(kEvent, eventTypeName(event));
    putString(o, kRoot, rootHuman);
    putList(o, kChain, delegationChain);
    putString(o, kAgent, agent);
    putString(o, kExecution, execution);
    putString(o, kParent, parentExecution);
    putString(o, kPurpose, purpose);
    putString(o, kTool, tool);
    putString(o, kAction, action);
    putObject(o, kResource, resource);
    putString(o, kDecision, decision);
    putString(o, kDecisionId, decisionId);
    putList(o, kPolicies, policies);
    putList(o, kErrors, errors);
    if (riskBefore)
        o.insert(kRiskBefore, *riskBefore);
    if (riskAfter)
        o.insert(kRiskAfter, *riskAfter);
    putObject(o, kBudgetBefore, budgetBefore);
    putObject(o, kBudgetAfter, budgetAfter);
    if (latencyUs)
        o.insert(kLatency, *latencyUs);
    putString(o, kReason, statedReason);
    if (upstreamStatus)
        o.insert(kUpstream, *upstreamStatus);
    putObject(o, kCedar, cedarRequest);
    putString(o, kActor, adminActor);
    putString(o, kTarget, adminTarget);
    if (!adminBefore.isUndefined() && !adminBefore.isNull())
        o.insert(kBefore, adminBefore);
    if (!adminAfter.isUndefined() && !adminAfter.isNull())
        o.insert(kAfter, adminAfter);
    putObject(o, kDetails, details);
    return o;
}

Result<AuditRecord> AuditRecord::fromJson(const QJsonObject &object)
{
    static const QSet<QString> known{kTime, kTrace, kSpan, kGateway, kEvent, kRoot, kChain, kAgent, kExecution,
                                     kParent, kPurpose, kTool, kAction, kResource, kDecision, kDecisionId,
                                     kPolicies, kErrors, kRiskBefore, kRiskAfter, kBudgetBefore, kBudgetAfter,
                                     kLatency, kReason, kUpstream, kCedar, kActor, kTarget, kBefore, kAfter,
                                     kDetails};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return Error{QStringLiteral("invalid"), QStringLiteral("unknown audit attribute %1").arg(it.key()), it.key()};
    }
    Reader r(object);
    AuditRecord rec;
    const QString timeText = r.string(kTime);
    rec.time = QDateTime::fromString(timeText, Qt::ISODateWithMs);
    if (!rec.time.isValid())
        r.fail(kTime, QStringLiteral("an RFC 3339 time"));
    const QString eventName = r.string(kEvent);
    if (const auto event = eventTypeFromName(eventName))
        rec.event = *event;
    else
        r.fail(kEvent, QStringLiteral("a known event type"));
    rec.gatewayId = r.string(kGateway);
    rec.traceId = r.string(kTrace);
    rec.spanId = r.string(kSpan);
    rec.rootHuman = r.string(kRoot);
    rec.delegationChain = r.list(kChain);
    rec.agent = r.string(kAgent);
    rec.execution = r.string(kExecution);
    rec.parentExecution = r.string(kParent);
    rec.purpose = r.string(kPurpose);
    rec.tool = r.string(kTool);
    rec.action = r.string(kAction);
    rec.resource = r.object(kResource);
    rec.decision = r.string(kDecision);
    rec.decisionId = r.string(kDecisionId);
    rec.policies = r.list(kPolicies);
    rec.errors = r.list(kErrors);
    rec.riskBefore = r.number(kRiskBefore);
    rec.riskAfter = r.number(kRiskAfter);
    rec.budgetBefore = r.object(kBudgetBefore);
    rec.budgetAfter = r.object(kBudgetAfter);
    rec.latencyUs = r.integer(kLatency);
    rec.statedReason = r.string(kReason);
    if (const auto status = r.integer(kUpstream))
        rec.upstreamStatus = static_cast<int>(*status);
    rec.cedarRequest = r.object(kCedar);
    rec.adminActor = r.string(kActor);
    rec.adminTarget = r.string(kTarget);
    rec.adminBefore = object.value(kBefore);
    rec.adminAfter = object.value(kAfter);
    rec.details = r.object(kDetails);
    if (r.error())
        return *r.error();
    return rec;
}

namespace {

// The canonical encoding, byte for byte what json::writeCompact writes (a test holds them
// equal), without its per-byte appends and temporary UTF-8 copies: it runs for every record.
void appendString(QByteArray &out, QStringView s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.append('"');
    const char16_t *p = s.utf16();
    const char16_t *const end = p + s.size();
    while (p < end) {
        // A run of ASCII that needs no escape, copied as is.
        const char16_t *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != u'"' && *p != u'\\')
            ++p;
        if (p > run) {
            const qsizetype at = out.size();
            out.resize(at + (p - run));
            char *to = out.data() + at;
            for (const char16_t *c = run; c < p; ++c)
                *to++ = static_cast<char>(*c);
        }
        if (p == end)
            break;
        if (*p >= 0x80) {
            // Non-ASCII, up to the next ASCII character: surrogate pairs stay in one run.
            run = p;
            while (p < end && *p >= 0x80)
                ++p;
            out.append(QStringView(run, p - run).toUtf8());
            continue;
        }
        switch (const char16_t c = *p++) {
        case u'"': out.append("\\\"", 2); break;
        case u'\\': out.append("\\\\", 2); break;
        case u'\b': out.append("\\b", 2); break;
        case u'\f': out.append("\\f", 2); break;
        case u'\n': out.append("\\n", 2); break;
        case u'\r': out.append("\\r", 2); break;
        case u'\t': out.append("\\t", 2); break;
        default: {
            const char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            out.append(escaped, 6);
        }
        }
    }
    out.append('"');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: out.append("null"); break;
    case QJsonValue::Bool: out.append(value.toBool() ? "true" : "false"); break;
    case QJsonValue::Double: {
        char buffer[32];
        std::to_chars_result r{};
        // Integers are kept as qint64; only the variant form tells them apart from doubles.
        if (const QVariant variant = value.toVariant(); variant.typeId() == QMetaType::LongLong) {
            r = std::to_chars(buffer, buffer + sizeof buffer, variant.toLongLong());
        } else {
            const double d = value.toDouble();
            if (!std::isfinite(d)) {
                out.append("null");
                break;
            }
            r = std::to_chars(buffer, buffer + sizeof buffer, d);
        }
        out.append(buffer, r.ptr - buffer);
        break;
    }
    case QJsonValue::String: appendString(out, value.toString()); break;
    case QJsonValue::Array: {
        out.append('[');
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out.append(',');
            appendValue(out, array.at(i));
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        out.append('{');
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it != object.constBegin())
                out.append(',');
            appendString(out, it.key());
            out.append(':');
            appendValue(out, it.value());
        }
        out.append('}');
        break;
    }
    }
}

} // namespace

void appendCanonicalJson(QByteArray &out, const QJsonValue &value)
{
    appendValue(out, value);
}

namespace {

void appendUtcTime(QByteArray &out, const QDateTime &time)
{
    out.append('"');
    appendRecordTime(out, time);
    out.append('"');
}

} // namespace

void appendRecordTime(QByteArray &out, const QDateTime &time)
{
    // Qt::ISODateWithMs ("2026-11-29T14:13:33.001Z") without QString::asprintf: it runs for
    // every record, once for the body and once for the time column.
    const QDateTime utc = time.toUTC();
    int year = 0, month = 0, day = 0;
    utc.date().getDate(&year, &month, &day);
    if (!utc.isValid() || year < 0 || year > 9999) {
        out.append(utc.toString(Qt::ISODateWithMs).toUtf8());
        return;
    }
    const QTime t = utc.time();
    const auto two = [](char *to, int v) { to[0] = char('0' + v / 10); to[1] = char('0' + v % 10); };
    char text[25] = "0000-00-00T00:00:00.000Z";
    text[0] = char('0' + year / 1000);
    text[1] = char('0' + year / 100 % 10);
    text[2] = char('0' + year / 10 % 10);
    text[3] = char('0' + year % 10);
    two(text + 5, month);
    two(text + 8, day);
    two(text + 11, t.hour());
    two(text + 14, t.minute());
    two(text + 17, t.second());
    text[20] = char('0' + t.msec() / 100);
    two(text + 21, t.msec() % 100);
    out.append(text, 24);
}

QByteArray AuditRecord::canonicalBytes() const
{
    // Byte-for-byte json::writeCompact(toJson()) (a test holds them equal), written directly
    // because building the QJsonObject first doubled the cost of every append.
    enum Field { Time, Trace, Span, Gateway, Event, Root, Chain, Agent, Execution, Parent, Purpose, Tool, Action,
                 Resource, Decision, DecisionId, Policies, Errors, RiskBefore, RiskAfter, BudgetBefore, BudgetAfter,
                 Latency, Reason, Upstream, Cedar, Actor, Target, Before, After, Details, FieldCount };
    static const std::array<Field, FieldCount> order = [] {
        const std::array<const QString *, FieldCount> keys{
            &kTime, &kTrace, &kSpan, &kGateway, &kEvent, &kRoot, &kChain, &kAgent, &kExecution, &kParent, &kPurpose,
            &kTool, &kAction, &kResource, &kDecision, &kDecisionId, &kPolicies, &kErrors, &kRiskBefore, &kRiskAfter,
            &kBudgetBefore, &kBudgetAfter, &kLatency, &kReason, &kUpstream, &kCedar, &kActor, &kTarget, &kBefore,
            &kAfter, &kDetails};
        std::array<Field, FieldCount> sorted{};
        for (int i = 0; i < FieldCount; ++i)
            sorted[i] = static_cast<Field>(i);
        std::sort(sorted.begin(), sorted.end(), [&](Field a, Field b) { return *keys[a] < *keys[b]; });
        return sorted;
    }();
    static const std::array<QByteArray, FieldCount> quotedKeys = [] {
        const std::array<const QString *, FieldCount> keys{
            &kTime, &kTrace, &kSpan, &kGateway, &kEvent, &kRoot, &kChain, &kAgent, &kExecution, &kParent, &kPurpose,
            &kTool, &kAction, &kResource, &kDecision, &kDecisionId, &kPolicies, &kErrors, &kRiskBefore, &kRiskAfter,
            &kBudgetBefore, &kBudgetAfter, &kLatency, &kReason, &kUpstream, &kCedar, &kActor, &kTarget, &kBefore,
            &kAfter, &kDetails};
        std::array<QByteArray, FieldCount> quoted;
        for (int i = 0; i < FieldCount; ++i)
            quoted[i] = json::writeCompact(*keys[i]) + ':';
        return quoted;
    }();

    QByteArray out;
    out.reserve(2048);
    out.append('{');
    bool first = true;
    const auto key = [&](Field f) {
        if (!first)
            out.append(',');
        first = false;
        out.append(quotedKeys[f]);
    };
    const auto string = [&](Field f, const QString &value) {
        if (!value.isEmpty()) {
            key(f);
            appendString(out, value);
        }
    };
    const auto value = [&](Field f, const QJsonValue &v) {
        key(f);
        appendValue(out, v);
    };
    const auto object = [&](Field f, const QJsonObject &o) {
        if (!o.isEmpty())
            value(f, o);
    };
    const auto list = [&](Field f, const QStringList &l) {
        if (l.isEmpty())
            return;
        key(f);
        out.append('[');
        for (qsizetype i = 0; i < l.size(); ++i) {
            if (i > 0)
                out.append(',');
            appendString(out, l.at(i));
        }
        out.append(']');
    };
    for (const Field f : order) {
        switch (f) {
        case Time: key(f); appendUtcTime(out, time); break;
        case Trace: string(f, traceId); break;
        case Span: string(f, spanId); break;
        case Gateway: string(f, gatewayId); break;
        case Event: value(f, eventTypeName(event)); break;
        case Root: string(f, rootHuman); break;
        case Chain: list(f, delegationChain); break;
        case Agent: string(f, agent); break;
        case Execution: string(f, execution); break;
        case Parent: string(f, parentExecution); break;
        case Purpose: string(f, purpose); break;
        case Tool: string(f, tool); break;
        case Action: string(f, action); break;
        case Resource: object(f, resource); break;
        case Decision: string(f, decision); break;
        case DecisionId: string(f, decisionId); break;
        case Policies: list(f, policies); break;
        case Errors: list(f, errors); break;
        case RiskBefore: if (riskBefore) value(f, *riskBefore); break;
        case RiskAfter: if (riskAfter) value(f, *riskAfter); break;
        case BudgetBefore: object(f, budgetBefore); break;
        case BudgetAfter: object(f, budgetAfter); break;
        case Latency: if (latencyUs) value(f, *latencyUs); break;
        case Reason: string(f, statedReason); break;
        case Upstream: if (upstreamStatus) value(f, *upstreamStatus); break;
        case Cedar:
            if (!cedarRequestCanonical.isEmpty()) {
                key(f);
                out.append(cedarRequestCanonical);
            } else {
                object(f, cedarRequest);
            }
            break;
        case Actor: string(f, adminActor); break;
        case Target: string(f, adminTarget); break;
        case Before: if (!adminBefore.isUndefined() && !adminBefore.isNull()) value(f, adminBefore); break;
        case After: if (!adminAfter.isUndefined() && !adminAfter.isNull()) value(f, adminAfter); break;
        case Details: object(f, details); break;
        case FieldCount: break;
        }
    }
    out.append('}');
    return out;
}

Status AuditRecord::validate() const
{
    if (!time.isValid())
        return Error{QStringLiteral("invalid"), QStringLiteral("an audit record needs a time"), kTime};
    if (gatewayId.isEmpty())
        return Error{QStringLiteral("invalid"), QStringLiteral("an audit record needs a gateway id"), kGateway};
    if (!traceId.isEmpty() && !isLowerHex(traceId, 32, true))
        return Error{QStringLiteral("invalid"), QStringLiteral("trace_id must be 32 lower-case hex digits, not all zero"), kTrace};
    if (!spanId.isEmpty() && !isLowerHex(spanId, 16, true))
        return Error{QStringLiteral("invalid"), QStringLiteral("span_id must be 16 lower-case hex digits, not all zero"), kSpan};
    if ((event == EventType::Decision || event == EventType::ShadowDecision)
        && decision != QLatin1String("allow") && decision != QLatin1String("deny"))
        return Error{QStringLiteral("invalid"), QStringLiteral("a decision record needs decision allow or deny"), kDecision};
    return Status::success();
}

QJsonObject StoredRecord::toExportJson() const
{
    QJsonObject o;
    // A body that no longer parses is exported as text so that nothing is hidden from a SIEM.
    if (auto parsed = QJsonDocument::fromJson(body); parsed.isObject())
        o = parsed.object();
    else
        o.insert(QStringLiteral("mandate.audit.unparsable_body"), QString::fromUtf8(body));
    o.insert(QStringLiteral("mandate.audit.sequence"), sequence);
    o.insert(QStringLiteral("mandate.audit.hash"), QString::fromLatin1(hash.toHex()));
    o.insert(QStringLiteral("mandate.audit.prev_hash"), QString::fromLatin1(prevHash.toHex()));
    if (!seal.isEmpty())
        o.insert(QStringLiteral("mandate.audit.seal"), QString::fromLatin1(seal.toHex()));
    return o;
}

} // namespace mandate::audit
