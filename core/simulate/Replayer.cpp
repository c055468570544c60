// SPDX-License-Identifier: Apache-2.0
#include "simulate/Replay.h"

#include "policy/Authorizer.h"
#include "policy/JsonFormats.h"
#include "policy/TypedJsonBytes.h"
#include "simulate/JsonSpans.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <thread>
#include <tuple>

namespace mandate::simulate {

namespace {

/// The label the gateway records for a policy (DecisionPipeline's policyLabel), so that recorded
/// and replayed determining policies compare equal.
QString policyLabel(const policy::Policy &policy)
{
    const QString id = policy.annotation(QStringLiteral("id"));
    return id.isEmpty() ? policy.id : id;
}

Error requestError(const QString &what, const Error &cause)
{
    return Error{QStringLiteral("invalid"), what + QStringLiteral(": ") + cause.toString(), what};
}

struct ParsedRequest
{
    policy::Request request;
    std::shared_ptr<const policy::EntityStore> entities;
};

/// Entities already read, by principal and resource. The calls of one execution to one tool
/// carry the same entities (its chain, agents, owners, the tool), and reading them is much of
/// the cost of a replay; the stored JSON is compared before reuse, so entities that changed
/// (a registry edit between two calls) are read again.
class EntityCache
{
public:
    Result<std::shared_ptr<const policy::EntityStore>> get(const QJsonObject &request, const policy::Schema *schema)
    {
        const QJsonValue json = request.value(QStringLiteral("entities"));
        const QString key = request.value(QStringLiteral("principal")).toObject().value(QStringLiteral("id")).toString() + u'\n'
                            + request.value(QStringLiteral("resource")).toObject().value(QStringLiteral("id")).toString();
        if (const auto it = m_entries.constFind(key); it != m_entries.constEnd() && it->json == json)
            return it->store;
        Result<policy::EntityStore> parsed = policy::JsonFormats::entities(json, schema);
        if (!parsed)
            return requestError(QStringLiteral("entities"), parsed.error());
        auto store = std::make_shared<const policy::EntityStore>(std::move(parsed).value());
        if (m_entries.size() >= kMaxEntries)
            m_entries.clear();
        m_entries.insert(key, Entry{json, store});
        return store;
    }

private:
    static constexpr qsizetype kMaxEntries = 4096;
    struct Entry
    {
        QJsonValue json;
        std::shared_ptr<const policy::EntityStore> store;
    };
    QHash<QString, Entry> m_entries;
};

Result<ParsedRequest> parseRequest(const QJsonObject &json, const policy::Schema &schema, EntityCache &cache)
{
    const auto uid = [&](const QString &field) -> Result<policy::EntityRef> {
        Result<policy::EntityRef> ref = policy::JsonFormats::entityUid(json.value(field));
        if (!ref)
            return requestError(field, ref.error());
        return ref;
    };
    ParsedRequest parsed;
    for (const auto &[field, slot] : {std::pair{QStringLiteral("principal"), &parsed.request.principal},
                                      std::pair{QStringLiteral("action"), &parsed.request.action},
                                      std::pair{QStringLiteral("resource"), &parsed.request.resource}}) {
        Result<policy::EntityRef> ref = uid(field);
        if (!ref)
            return ref.error();
        *slot = ref.value();
    }
    if (Status fits = schema.validateRequest(parsed.request); !fits)
        return Error{QStringLiteral("invalid"), fits.error().toString()};
    Result<policy::Value> context = policy::JsonFormats::context(json.value(QStringLiteral("context")), &schema, parsed.request.action);
    if (!context)
        return requestError(QStringLiteral("context"), context.error());
    parsed.request.context = std::move(context).value();
    Result<std::shared_ptr<const policy::EntityStore>> entities = cache.get(json, &schema);
    if (!entities)
        return entities.error();
    parsed.entities = std::move(entities).value();
    return parsed;
}

/// A member of a stored request as a QJsonValue (undefined when absent), read by Qt alone: it
/// reads scalars only inside an array.
QJsonValue storedValue(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QByteArray wrapped;
    wrapped.reserve(bytes.size() + 2);
    wrapped.append('[').append(bytes).append(']');
    return QJsonDocument::fromJson(wrapped).array().at(0);
}

/// The parts of stored requests that repeat, by their exact bytes: the entity uids and, above
/// all, the entities (the calls of one execution carry the same set). Equal bytes read the same,
/// so a hit is what a fresh read would give.
class StoredPartsCache
{
public:
    Result<policy::EntityRef> uid(QByteArrayView bytes)
    {
        if (const auto it = m_uids.constFind(QByteArray::fromRawData(bytes.data(), bytes.size())); it != m_uids.constEnd())
            return it.value();
        if (const std::optional<policy::EntityRef> plain = plainUid(bytes)) {
            insert(m_uids, bytes, *plain);
            return *plain;
        }
        Result<policy::EntityRef> ref = policy::JsonFormats::entityUid(storedValue(bytes));
        if (ref)
            insert(m_uids, bytes, ref.value());
        return ref;
    }

    Result<std::shared_ptr<const policy::EntityStore>> entities(QByteArrayView bytes, const policy::Schema *schema)
    {
        if (const auto it = m_entities.constFind(QByteArray::fromRawData(bytes.data(), bytes.size())); it != m_entities.constEnd())
            return it.value();
        std::optional<policy::EntityStore> assembled = fromItems(bytes, schema);
        Result<policy::EntityStore> parsed = assembled ? Result<policy::EntityStore>(std::move(*assembled))
                                                       : policy::JsonFormats::entities(storedValue(bytes), schema);
        if (!parsed)
            return requestError(QStringLiteral("entities"), parsed.error());
        auto store = std::make_shared<const policy::EntityStore>(std::move(parsed).value());
        insert(m_entities, bytes, store);
        return store;
    }

private:
    /// JsonFormats::entityUid for the plain form `{"id": I, "type": T}` (other members are
    /// ignored there too); nullopt for anything else (`__entity`, a duplicate, a non-string),
    /// which then takes JsonFormats' own path.
    static std::optional<policy::EntityRef> plainUid(QByteArrayView bytes)
    {
        struct Found
        {
            QByteArrayView type, id;
            bool plain = true;
        } found;
        const bool read = JsonSpans::isObject(bytes) && JsonSpans::forEachMember(bytes, [f = &found](QByteArrayView key, QByteArrayView value) {
            QByteArrayView *slot = key == "type" ? &f->type : key == "id" ? &f->id : nullptr;
            if (key == "__entity" || (slot && slot->data()))
                f->plain = false;
            else if (slot)
                *slot = value;
            return f->plain;
        });
        if (!read || !found.plain || !found.type.data() || !found.id.data())
            return std::nullopt;
        const std::optional<QString> type = JsonSpans::string(found.type);
        const std::optional<QString> id = JsonSpans::string(found.id);
        if (!type || !id || !policy::JsonFormats::isEntityTypeName(*type))
            return std::nullopt;
        return policy::UidTable::uid(type->toStdString(), id->toStdString());
    }

    /// One item of an entities array, read alone: the entity, or none for an action entity
    /// (the schema provides those).
    struct Item
    {
        policy::EntityRef uid;
        std::optional<policy::Entity> entity;
        /// What reading the item in full interned (its parents, its attributes' entities): a
        /// store assembled from it keeps these. A plain item's refs are the worker's.
        std::vector<std::shared_ptr<const policy::UidLease>> uids;
    };

    /// The items of an execution's entity sets differ in one or two entities (the execution, the
    /// tool), so items are read once each and assembled as JsonFormats::entities would. Nullopt
    /// on anything it would refuse (a bad item, a duplicate): it then reads the whole array and
    /// says what is wrong exactly as before.
    std::optional<policy::EntityStore> fromItems(QByteArrayView bytes, const policy::Schema *schema)
    {
        policy::EntityStore store;
        store.reserve(16);
        m_seen.clear(); // a handful of uids: a vector is the cheapest set
        const auto assemble = [&](QByteArrayView itemBytes) {
            const Item *item = this->item(itemBytes, schema);
            if (!item || std::find(m_seen.begin(), m_seen.end(), item->uid.uid) != m_seen.end())
                return false;
            m_seen.push_back(item->uid.uid);
            if (item->entity)
                store.insert(*item->entity);
            for (const std::shared_ptr<const policy::UidLease> &uids : item->uids)
                store.keep(uids);
            return true;
        };
        const bool read = JsonSpans::isArray(bytes)
                          && JsonSpans::forEachItem(bytes, [a = &assemble](QByteArrayView itemBytes) { return (*a)(itemBytes); });
        if (!read)
            return std::nullopt;
        if (schema)
            schema->addActionEntities(store);
        if (!store.finalize())
            return std::nullopt;  // Cedar refuses a hierarchy with a cycle: no decision to replay
        return store;
    }

    /// An item in the form the gateway writes, `{"attrs": {...}, "parents": [uids], "uid": uid}`,
    /// read from its bytes as JsonFormats::entities reads it with a schema: the attributes typed
    /// by the entity type's shape (TypedJsonBytes), an action entity the schema defines skipped.
    /// Nullopt for anything else (tags, escapes, a duplicate member, an error), which then takes
    /// JsonFormats' own path.
    static std::optional<Item> plainItem(QByteArrayView bytes, const policy::Schema *schema)
    {
        if (!schema || !JsonSpans::isObject(bytes))
            return std::nullopt;
        struct Found
        {
            QByteArrayView uid, attrs, parents;
            bool plain = true;
        } found;
        const bool read = JsonSpans::forEachMember(bytes, [f = &found](QByteArrayView key, QByteArrayView value) {
            QByteArrayView *slot = key == "uid" ? &f->uid : key == "attrs" ? &f->attrs : key == "parents" ? &f->parents : nullptr;
            if (key == "tags" || (slot && slot->data()))
                f->plain = false;
            else if (slot)
                *slot = value;
            return f->plain;
        });
        if (!read || !found.uid.data() || !JsonSpans::isObject(found.attrs) || !JsonSpans::isArray(found.parents))
            return std::nullopt;
        const std::optional<policy::EntityRef> uid = plainUid(found.uid);
        if (!uid)
            return std::nullopt;
        Item item;
        item.uid = *uid;
        const policy::Schema::EntityTypeDecl *decl = schema->entityType(uid->type);
        if (!decl) {
            if (schema->action(*uid))
                return item;
            return std::nullopt;
        }
        if (!decl->shape)
            return std::nullopt;
        std::optional<policy::Value> attrs = policy::TypedJsonBytes::value(found.attrs, *decl->shape);
        if (!attrs || !attrs->isRecord())
            return std::nullopt;
        policy::Entity entity;
        entity.uid = *uid;
        entity.attrs = std::make_shared<const policy::Record>(attrs->asRecord());
        bool parentsRead = true;
        const bool parentsOk = JsonSpans::forEachItem(found.parents, [e = &entity, ok = &parentsRead](QByteArrayView parent) {
            const std::optional<policy::EntityRef> ref = plainUid(parent);
            if (ref)
                e->parents.push_back(*ref);
            *ok = ref.has_value();
            return *ok;
        });
        if (!parentsOk || !parentsRead)
            return std::nullopt;
        item.entity = std::move(entity);
        return item;
    }

    const Item *item(QByteArrayView bytes, const policy::Schema *schema)
    {
        if (const auto it = m_items.constFind(QByteArray::fromRawData(bytes.data(), bytes.size())); it != m_items.constEnd())
            return &it.value();
        if (std::optional<Item> plain = plainItem(bytes, schema)) {
            if (m_items.size() >= kMaxEntries)
                m_items.clear();
            return &m_items.insert(bytes.toByteArray(), std::move(*plain)).value();
        }
        const QJsonValue json = storedValue(bytes);
        Result<policy::EntityStore> alone = policy::JsonFormats::entities(QJsonArray{json}, schema);
        if (!alone)
            return nullptr;
        Item item;
        item.uid = policy::JsonFormats::entityUid(json.toObject().value(QLatin1String("uid"))).value();
        // JsonFormats::entities skips an action entity the schema defines: the one found in
        // `alone` is then the schema's own, added after.
        const bool skipped = schema && !schema->entityType(item.uid.type) && schema->action(item.uid);
        if (!skipped) {
            const policy::Entity *entity = alone->find(item.uid);
            if (!entity)
                return nullptr;
            item.entity = *entity;
            item.entity->ancestors.clear(); // the assembled store's finalize() computes them
            item.uids = alone->leases();
        }
        if (m_items.size() >= kMaxEntries)
            m_items.clear();
        return &m_items.insert(bytes.toByteArray(), std::move(item)).value();
    }

    static constexpr qsizetype kMaxEntries = 4096;
    template<typename T>
    static void insert(QHash<QByteArray, T> &cache, QByteArrayView bytes, const T &value)
    {
        if (cache.size() >= kMaxEntries)
            cache.clear();
        cache.insert(bytes.toByteArray(), value); // a deep copy: the record's body goes away
    }
    std::vector<policy::UidId> m_seen;
    QHash<QByteArray, policy::EntityRef> m_uids;
    QHash<QByteArray, Item> m_items;
    QHash<QByteArray, std::shared_ptr<const policy::EntityStore>> m_entities;
};

/// parseRequest for a request read from the audit store, member by member from its bytes.
Result<ParsedRequest> parseStored(const StoredCedarRequest &stored, const policy::Schema &schema, StoredPartsCache &cache)
{
    ParsedRequest parsed;
    for (const auto &[field, span, slot] : {std::tuple{QStringLiteral("principal"), stored.principal, &parsed.request.principal},
                                            std::tuple{QStringLiteral("action"), stored.action, &parsed.request.action},
                                            std::tuple{QStringLiteral("resource"), stored.resource, &parsed.request.resource}}) {
        Result<policy::EntityRef> ref = cache.uid(stored.view(span));
        if (!ref)
            return requestError(field, ref.error());
        *slot = ref.value();
    }
    if (Status fits = schema.validateRequest(parsed.request); !fits)
        return Error{QStringLiteral("invalid"), fits.error().toString()};
    const QByteArrayView contextBytes = stored.view(stored.context);
    if (std::optional<policy::Value> plain = policy::TypedJsonBytes::context(contextBytes, schema, parsed.request.action)) {
        parsed.request.context = std::move(*plain);
    } else {
        Result<policy::Value> context = policy::JsonFormats::context(storedValue(contextBytes), &schema, parsed.request.action);
        if (!context)
            return requestError(QStringLiteral("context"), context.error());
        parsed.request.context = std::move(context).value();
    }
    Result<std::shared_ptr<const policy::EntityStore>> entities = cache.entities(stored.view(stored.entities), &schema);
    if (!entities)
        return entities.error();
    parsed.entities = std::move(entities).value();
    return parsed;
}

void count(ChangeCounts &counts, Change change)
{
    switch (change) {
    case Change::Unchanged: ++counts.unchanged; break;
    case Change::NewlyDenied: ++counts.newlyDenied; break;
    case Change::NewlyAllowed: ++counts.newlyAllowed; break;
    }
}

} // namespace

QString Outcome::explain(bool allowed, const QStringList &policies, const QStringList &errors)
{
    const QString list = policies.join(QStringLiteral(", "));
    QString text = allowed            ? QStringLiteral("allowed by ") + list
                   : policies.isEmpty() ? QStringLiteral("no permit policy matched")
                                        : QStringLiteral("forbidden by ") + list;
    if (!errors.isEmpty()) {
        QStringList erroring;
        for (const QString &error : errors)
            erroring << error.section(QStringLiteral(": "), 0, 0);
        text += QStringLiteral("; skipped because they errored: ") + erroring.join(QStringLiteral(", "));
    }
    return text;
}

Outcome Outcome::recorded(const RecordedRequest &request)
{
    return Outcome{request.policyAllowed, request.policies, request.errors,
                   explain(request.policyAllowed, request.policies, request.errors)};
}

/// One thread's share of a replay: its entity cache, its decision buffers and its tally.
struct Replayer::Worker
{
    explicit Worker(const Replayer &owner) : replayer(owner) {}

    const Replayer &replayer;
    /// What the worker's reads interned (execution ids, above all), kept until its caches and
    /// requests are gone: declared before them, so destroyed after them. Work runs in scope().
    policy::UidLease uids;
    policy::UidLease::Scope scope() { return policy::UidLease::Scope(uids); }
    EntityCache cache;
    StoredPartsCache storedCache;
    policy::Decision decision;
    QStringList afterPolicies;
    const ReplaySummary *lastTally = nullptr;
    qint64 lastStart = 0;
    ChangeCounts *lastBucket = nullptr;

    Outcome outcome() const
    {
        Outcome out;
        out.allowed = decision.allowed;
        out.policies = afterPolicies;
        for (const policy::PolicyError &error : decision.errors)
            out.errors << replayer.m_labels->at(error.policy) + QStringLiteral(": ") + QString::fromStdString(error.message);
        out.explanation = Outcome::explain(out.allowed, out.policies, out.errors);
        return out;
    }

    void replayOne(const RecordedRequest &record, ReplaySummary &tally)
    {
        Result<ParsedRequest> parsed = record.stored.isEmpty() ? parseRequest(record.cedarRequest, *replayer.m_schema, cache)
                                                               : parseStored(record.stored, *replayer.m_schema, storedCache);
        if (!parsed) {
            ++tally.skipped;
            if (tally.skipReasons.size() < ReplaySummary::kMaxSkipReasons)
                tally.skipReasons << record.decisionId + QStringLiteral(": ") + parsed.error().toString();
            return;
        }
        policy::Authorizer::isAuthorized(*replayer.m_policies, *parsed->entities, parsed->request, decision);
        afterPolicies.clear();
        for (const policy::Policy *reason : decision.reasons)
            afterPolicies << replayer.m_labels->at(reason);

        const Change change = decision.allowed == record.policyAllowed ? Change::Unchanged
                              : decision.allowed                        ? Change::NewlyAllowed
                                                                        : Change::NewlyDenied;
        ++tally.replayed;
        count(tally.overall, change);
        count(tally.byAgent[record.agent], change);
        count(tally.byTool[record.tool], change);
        count(tally.byAction[record.action], change);
        for (const QString &label : record.policies)
            count(tally.byPolicy[label], change);
        for (const QString &label : std::as_const(afterPolicies)) {
            if (!record.policies.contains(label))
                count(tally.byPolicy[label], change);
        }
        const qint64 bucketMs = tally.bucketSeconds * 1000;
        const qint64 ms = record.time.toMSecsSinceEpoch();
        const qint64 start = ms - (((ms % bucketMs) + bucketMs) % bucketMs);
        // Recorded traffic comes in time order: most requests fall in the previous one's bucket.
        if (&tally != lastTally || start != lastStart) {
            lastTally = &tally;
            lastStart = start;
            lastBucket = &tally.timeline[QDateTime::fromMSecsSinceEpoch(start, Qt::UTC)];
        }
        count(*lastBucket, change);

        if (change != Change::Unchanged && tally.changes.size() < size_t(ReplaySummary::kMaxChanges))
            tally.changes.push_back(ReplayedRequest{record, Outcome::recorded(record), outcome(), change});
    }
};

Result<Replayer> Replayer::create(const QString &candidateSource, std::shared_ptr<const policy::Schema> schema)
{
    const QByteArray utf8 = candidateSource.toUtf8();
    // As a publish would: a candidate the gateway would refuse is not simulated.
    Result<policy::PolicySet> parsed = policy::PolicySet::parseStatic(std::string_view(utf8.constData(), size_t(utf8.size())));
    if (!parsed) {
        Error error{QStringLiteral("invalid"), QStringLiteral("the candidate policy set does not parse")};
        const Error &diagnostic = parsed.error();
        error.details.push_back(diagnostic);
        for (const Error &more : diagnostic.details)
            error.details.push_back(more);
        return error;
    }
    return fromPolicySet(std::move(parsed).value(), std::move(schema));
}

Replayer Replayer::fromPolicySet(policy::PolicySet policies, std::shared_ptr<const policy::Schema> schema)
{
    Replayer replayer;
    auto set = std::make_shared<const policy::PolicySet>(std::move(policies));
    auto labels = std::make_shared<std::unordered_map<const policy::Policy *, QString>>();
    for (const policy::Policy &policy : set->policies())
        labels->emplace(&policy, policyLabel(policy));
    replayer.m_policies = std::move(set);
    replayer.m_schema = std::move(schema);
    replayer.m_labels = std::move(labels);
    return replayer;
}

Result<Outcome> Replayer::decide(const QJsonObject &cedarRequest) const
{
    Worker worker(*this);
    const policy::UidLease::Scope scope = worker.scope();
    Result<ParsedRequest> parsed = parseRequest(cedarRequest, *m_schema, worker.cache);
    if (!parsed)
        return parsed.error();
    policy::Authorizer::isAuthorized(*m_policies, *parsed->entities, parsed->request, worker.decision);
    for (const policy::Policy *reason : worker.decision.reasons)
        worker.afterPolicies << m_labels->at(reason);
    return worker.outcome();
}

void Replayer::replay(const std::vector<RecordedRequest> &records, ReplaySummary &summary, const ReplayOptions &options,
                      const std::atomic_bool *cancel, const std::function<void(qint64 done)> &progress) const
{
    // Fixed chunks merged in order: the summary, and which changes are kept, do not depend on
    // how the threads were scheduled.
    constexpr size_t kChunk = 2048;
    const size_t chunks = (records.size() + kChunk - 1) / kChunk;
    const qint64 bucketSeconds = std::max<qint64>(1, options.bucketSeconds);
    std::vector<ReplaySummary> tallies(chunks);
    std::vector<char> finished(chunks, 0);
    std::atomic<size_t> next{0};
    std::atomic<qint64> done{0};
    std::atomic_bool stopped{false};

    const auto work = [&](bool reportProgress) {
        Worker worker(*this);
        const policy::UidLease::Scope scope = worker.scope();
        for (;;) {
            if (cancel && cancel->load()) {
                stopped = true;
                return;
            }
            const size_t chunk = next.fetch_add(1);
            if (chunk >= chunks)
                return;
            ReplaySummary &tally = tallies[chunk];
            tally.bucketSeconds = bucketSeconds;
            const size_t end = std::min(records.size(), (chunk + 1) * kChunk);
            for (size_t i = chunk * kChunk; i < end; ++i)
                worker.replayOne(records[i], tally);
            finished[chunk] = 1;
            const qint64 total = done += qint64(end - chunk * kChunk);
            if (reportProgress && progress)
                progress(total);
        }
    };

    const int wanted = options.threads > 0 ? options.threads : QThread::idealThreadCount();
    const size_t threads = std::clamp<size_t>(size_t(std::max(1, wanted)), 1, std::max<size_t>(1, chunks));
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(work, false);
    work(true); // the calling thread works too, and is the one that reports progress
    for (std::thread &helper : helpers)
        helper.join();

    summary.bucketSeconds = bucketSeconds;
    for (size_t chunk = 0; chunk < chunks; ++chunk) {
        if (finished[chunk])
            summary.merge(std::move(tallies[chunk]));
    }
    if (stopped)
        summary.cancelled = true;
    if (progress)
        progress(done.load());
}

} // namespace mandate::simulate
