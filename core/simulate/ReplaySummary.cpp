// SPDX-License-Identifier: Apache-2.0
#include "simulate/Replay.h"

#include <QJsonArray>

namespace mandate::simulate {

namespace {

const QString kUnchanged = QStringLiteral("unchanged");
const QString kNewlyDenied = QStringLiteral("newly_denied");
const QString kNewlyAllowed = QStringLiteral("newly_allowed");

void add(ChangeCounts &into, const ChangeCounts &from)
{
    into.unchanged += from.unchanged;
    into.newlyDenied += from.newlyDenied;
    into.newlyAllowed += from.newlyAllowed;
}

template<typename Key>
void addAll(std::map<Key, ChangeCounts> &into, const std::map<Key, ChangeCounts> &from)
{
    for (const auto &[key, counts] : from)
        add(into[key], counts);
}

QString changeName(Change change)
{
    switch (change) {
    case Change::Unchanged: return kUnchanged;
    case Change::NewlyDenied: return kNewlyDenied;
    case Change::NewlyAllowed: return kNewlyAllowed;
    }
    return {};
}

QJsonObject countsJson(const ChangeCounts &counts)
{
    return {{kUnchanged, counts.unchanged},
            {kNewlyDenied, counts.newlyDenied},
            {kNewlyAllowed, counts.newlyAllowed},
            {QStringLiteral("total"), counts.total()}};
}

QJsonObject breakdownJson(const std::map<QString, ChangeCounts> &breakdown)
{
    QJsonObject out;
    for (const auto &[key, counts] : breakdown)
        out.insert(key, countsJson(counts));
    return out;
}

QJsonObject outcomeJson(const Outcome &outcome)
{
    return {{QStringLiteral("allowed"), outcome.allowed},
            {QStringLiteral("policies"), QJsonArray::fromStringList(outcome.policies)},
            {QStringLiteral("errors"), QJsonArray::fromStringList(outcome.errors)},
            {QStringLiteral("explanation"), outcome.explanation}};
}

QJsonObject changedJson(const ReplayedRequest &changed)
{
    const RecordedRequest &r = changed.recorded;
    return {{QStringLiteral("sequence"), r.sequence},
            {QStringLiteral("gateway"), r.gatewayId},
            {QStringLiteral("time"), r.time.toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("human"), r.human},
            {QStringLiteral("agent"), r.agent},
            {QStringLiteral("execution"), r.execution},
            {QStringLiteral("tool"), r.tool},
            {QStringLiteral("action"), r.action},
            {QStringLiteral("decision_id"), r.decisionId},
            {QStringLiteral("change"), changeName(changed.change)},
            {QStringLiteral("before"), outcomeJson(changed.before)},
            {QStringLiteral("after"), outcomeJson(changed.after)},
            {QStringLiteral("cedar_request"), r.cedarRequest}};
}

/// Reads the members of a summary strictly: every member must have its type, so that a
/// truncated or foreign document is an error rather than a summary of zeros.
class Reader
{
public:
    explicit Reader(QString path) : m_path(std::move(path)) {}

    qint64 integer(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (!v.isDouble())
            fail(key, QStringLiteral("an integer"));
        return v.toInteger();
    }
    QString string(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (!v.isString())
            fail(key, QStringLiteral("a string"));
        return v.toString();
    }
    bool boolean(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (!v.isBool())
            fail(key, QStringLiteral("true or false"));
        return v.toBool();
    }
    QJsonObject object(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (!v.isObject())
            fail(key, QStringLiteral("an object"));
        return v.toObject();
    }
    QJsonArray array(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (!v.isArray())
            fail(key, QStringLiteral("an array"));
        return v.toArray();
    }
    QStringList strings(const QJsonObject &o, const QString &key)
    {
        QStringList out;
        for (const QJsonValue &v : array(o, key)) {
            if (!v.isString())
                fail(key, QStringLiteral("an array of strings"));
            out << v.toString();
        }
        return out;
    }
    QDateTime time(const QJsonObject &o, const QString &key)
    {
        const QDateTime t = QDateTime::fromString(string(o, key), Qt::ISODateWithMs);
        if (!t.isValid())
            fail(key, QStringLiteral("an RFC 3339 time"));
        return t.toUTC();
    }
    ChangeCounts counts(const QJsonObject &o)
    {
        return ChangeCounts{integer(o, kUnchanged), integer(o, kNewlyDenied), integer(o, kNewlyAllowed)};
    }
    std::map<QString, ChangeCounts> breakdown(const QJsonObject &o, const QString &key)
    {
        std::map<QString, ChangeCounts> out;
        const QJsonObject all = object(o, key);
        for (auto it = all.begin(); it != all.end(); ++it)
            out[it.key()] = counts(it.value().toObject());
        return out;
    }
    Outcome outcome(const QJsonObject &o)
    {
        return Outcome{boolean(o, QStringLiteral("allowed")), strings(o, QStringLiteral("policies")),
                       strings(o, QStringLiteral("errors")), string(o, QStringLiteral("explanation"))};
    }
    Change change(const QJsonObject &o)
    {
        const QString name = string(o, QStringLiteral("change"));
        if (name == kNewlyDenied)
            return Change::NewlyDenied;
        if (name == kNewlyAllowed)
            return Change::NewlyAllowed;
        if (name != kUnchanged)
            fail(QStringLiteral("change"), QStringLiteral("unchanged, newly_denied or newly_allowed"));
        return Change::Unchanged;
    }

    const std::optional<Error> &error() const { return m_error; }

private:
    void fail(const QString &key, const QString &expected)
    {
        if (!m_error)
            m_error = Error{QStringLiteral("invalid"), QStringLiteral("%1 must be %2").arg(key, expected), m_path + key};
    }

    QString m_path;
    std::optional<Error> m_error;
};

} // namespace

void ReplaySummary::merge(ReplaySummary &&other)
{
    replayed += other.replayed;
    skipped += other.skipped;
    for (QString &reason : other.skipReasons) {
        if (skipReasons.size() < kMaxSkipReasons)
            skipReasons << std::move(reason);
    }
    add(overall, other.overall);
    addAll(byAgent, other.byAgent);
    addAll(byTool, other.byTool);
    addAll(byAction, other.byAction);
    addAll(byPolicy, other.byPolicy);
    addAll(timeline, other.timeline);
    for (ReplayedRequest &changed : other.changes) {
        if (changes.size() >= size_t(kMaxChanges))
            break;
        changes.push_back(std::move(changed));
        // A change kept for good carries its Cedar request as JSON, not the stored record:
        // built only here, for the few kept, rather than for every change of every chunk.
        if (RecordedRequest &kept = changes.back().recorded; !kept.stored.isEmpty()) {
            kept.cedarRequest = kept.cedarRequestObject();
            kept.stored = {};
        }
    }
    cancelled = cancelled || other.cancelled;
}

QJsonObject ReplaySummary::toJson(int maxChanges) const
{
    QJsonArray timelineJson;
    for (const auto &[start, counts] : timeline) {
        QJsonObject bucket = countsJson(counts);
        bucket.insert(QStringLiteral("start"), start.toUTC().toString(Qt::ISODateWithMs));
        timelineJson.append(bucket);
    }
    QJsonArray changesJson;
    for (const ReplayedRequest &changed : changes) {
        if (changesJson.size() >= maxChanges)
            break;
        changesJson.append(changedJson(changed));
    }
    return {{QStringLiteral("replayed"), replayed},
            {QStringLiteral("skipped"), skipped},
            {QStringLiteral("skip_reasons"), QJsonArray::fromStringList(skipReasons)},
            {QStringLiteral("cancelled"), cancelled},
            {QStringLiteral("bucket_seconds"), bucketSeconds},
            {QStringLiteral("counts"), countsJson(overall)},
            {QStringLiteral("by_agent"), breakdownJson(byAgent)},
            {QStringLiteral("by_tool"), breakdownJson(byTool)},
            {QStringLiteral("by_action"), breakdownJson(byAction)},
            {QStringLiteral("by_policy"), breakdownJson(byPolicy)},
            {QStringLiteral("timeline"), timelineJson},
            {QStringLiteral("changes"), changesJson},
            {QStringLiteral("changes_total"), overall.newlyDenied + overall.newlyAllowed}};
}

Result<ReplaySummary> ReplaySummary::fromJson(const QJsonObject &object)
{
    Reader read{QString()};
    ReplaySummary s;
    s.replayed = read.integer(object, QStringLiteral("replayed"));
    s.skipped = read.integer(object, QStringLiteral("skipped"));
    s.skipReasons = read.strings(object, QStringLiteral("skip_reasons"));
    s.cancelled = read.boolean(object, QStringLiteral("cancelled"));
    s.bucketSeconds = read.integer(object, QStringLiteral("bucket_seconds"));
    s.overall = read.counts(read.object(object, QStringLiteral("counts")));
    s.byAgent = read.breakdown(object, QStringLiteral("by_agent"));
    s.byTool = read.breakdown(object, QStringLiteral("by_tool"));
    s.byAction = read.breakdown(object, QStringLiteral("by_action"));
    s.byPolicy = read.breakdown(object, QStringLiteral("by_policy"));
    for (const QJsonValue &bucket : read.array(object, QStringLiteral("timeline")))
        s.timeline[read.time(bucket.toObject(), QStringLiteral("start"))] = read.counts(bucket.toObject());
    const QJsonArray changes = read.array(object, QStringLiteral("changes"));
    for (qsizetype i = 0; i < changes.size(); ++i) {
        const QJsonObject o = changes.at(i).toObject();
        Reader item{QStringLiteral("changes[%1].").arg(i)};
        ReplayedRequest changed;
        RecordedRequest &r = changed.recorded;
        r.sequence = item.integer(o, QStringLiteral("sequence"));
        r.gatewayId = item.string(o, QStringLiteral("gateway"));
        r.time = item.time(o, QStringLiteral("time"));
        r.human = item.string(o, QStringLiteral("human"));
        r.agent = item.string(o, QStringLiteral("agent"));
        r.execution = item.string(o, QStringLiteral("execution"));
        r.tool = item.string(o, QStringLiteral("tool"));
        r.action = item.string(o, QStringLiteral("action"));
        r.decisionId = item.string(o, QStringLiteral("decision_id"));
        r.cedarRequest = item.object(o, QStringLiteral("cedar_request"));
        changed.change = item.change(o);
        changed.before = item.outcome(item.object(o, QStringLiteral("before")));
        changed.after = item.outcome(item.object(o, QStringLiteral("after")));
        r.policyAllowed = changed.before.allowed;
        r.policies = changed.before.policies;
        r.errors = changed.before.errors;
        if (item.error())
            return *item.error();
        s.changes.push_back(std::move(changed));
    }
    if (read.error())
        return *read.error();
    return s;
}

} // namespace mandate::simulate
