// SPDX-License-Identifier: Apache-2.0
// The intern table's lifetimes: what a lease holds goes with it, what is pinned stays, and the
// structures built from input (policy sets, schemas, entity stores) hold what they interned.
#include "policy/Authorizer.h"
#include "policy/EntityUid.h"
#include "policy/JsonFormats.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"

#include <QTest>

#include <array>
#include <atomic>
#include <barrier>
#include <optional>
#include <thread>

using mandate::Result;
using namespace mandate::policy;

class tst_PolicyUids : public QObject
{
    Q_OBJECT

private slots:
    void leasedEntriesGoWithTheirLease();
    void numbersAreNeverGivenAgain();
    void pinnedEntriesStay();
    void scopesNest();
    void aUidKeepsItsTypeName();
    void policySetsHoldTheirLiterals();
    void entityStoresHoldTheirEntities();
    void schemasHoldTheirTypesAndActions();
    void decisionsSurviveTheirInputsLeases();
    void concurrentLeasesAgreeOnNumbers();
};

namespace {

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), size_t(bytes.size()));
}

/// Names nobody else in this process interns (identifiers, so they serve as type names too).
std::string fresh(const char *what)
{
    static int counter = 0;
    return std::string("UidsTest_") + what + '_' + std::to_string(++counter);
}

} // namespace

void tst_PolicyUids::leasedEntriesGoWithTheirLease()
{
    const UidTable::Size before = UidTable::size();
    const std::string type = fresh("Type");
    const std::string id = fresh("id");
    std::optional<EntityRef> ref;
    {
        UidLease lease;
        const UidLease::Scope scope(lease);
        ref = UidTable::uid(type, id);
        QCOMPARE(UidTable::uid(type, id), *ref);  // the same entry, held once
        QCOMPARE(lease.size(), size_t(2));          // the type and the uid
        QCOMPARE(UidTable::size().uids, before.uids + 1);
        QCOMPARE(UidTable::size().types, before.types + 1);
        QCOMPARE(UidTable::display(*ref), type + "::\"" + id + '"');
        QVERIFY(UidTable::find(type, id));
    }
    QCOMPARE(UidTable::size().uids, before.uids);
    QCOMPARE(UidTable::size().types, before.types);
    QVERIFY(!UidTable::find(type, id));
    QCOMPARE(UidTable::typeName(ref->type), std::string());
    QCOMPARE(UidTable::id(*ref), std::string());
    QVERIFY(UidTable::display(*ref).find("no longer interned") != std::string::npos);
}

void tst_PolicyUids::numbersAreNeverGivenAgain()
{
    // A stale ref must never compare equal to another entity, nor to the same name interned
    // again: either could decide a request about someone else.
    const std::string type = fresh("Type");
    const std::string id = fresh("id");
    EntityRef first;
    {
        UidLease lease;
        const UidLease::Scope scope(lease);
        first = UidTable::uid(type, id);
    }
    UidLease lease;
    const UidLease::Scope scope(lease);
    const EntityRef again = UidTable::uid(type, id);
    const EntityRef other = UidTable::uid(type, fresh("other"));
    QVERIFY(!(again == first));
    QVERIFY(!(other == first));
    QVERIFY(again.type != first.type);
    QVERIFY(first < again);
}

void tst_PolicyUids::pinnedEntriesStay()
{
    const std::string type = fresh("Type");
    const std::string pinnedThenLeased = fresh("a");
    const std::string leasedThenPinned = fresh("b");
    const EntityRef pinned = UidTable::uid(type, pinnedThenLeased);  // no scope: pinned
    {
        UidLease lease;
        const UidLease::Scope scope(lease);
        QCOMPARE(UidTable::uid(type, pinnedThenLeased), pinned);
    }
    QCOMPARE(UidTable::find(type, pinnedThenLeased), std::optional<EntityRef>(pinned));

    EntityRef leased;
    {
        UidLease lease;
        {
            const UidLease::Scope scope(lease);
            leased = UidTable::uid(type, leasedThenPinned);
        }
        QCOMPARE(UidTable::uid(type, leasedThenPinned), leased);  // no scope now: pins it
    }
    QCOMPARE(UidTable::find(type, leasedThenPinned), std::optional<EntityRef>(leased));
}

void tst_PolicyUids::scopesNest()
{
    const std::string type = fresh("Type");
    const std::string outerId = fresh("outer");
    const std::string innerId = fresh("inner");
    const std::string afterId = fresh("after");
    UidLease outer;
    const UidLease::Scope outerScope(outer);
    UidTable::uid(type, outerId);
    {
        UidLease inner;
        const UidLease::Scope innerScope(inner);
        UidTable::uid(type, innerId);
        QVERIFY(UidTable::find(type, innerId));
    }
    QVERIFY(!UidTable::find(type, innerId));  // the inner lease held it alone
    UidTable::uid(type, afterId);             // the outer scope is current again
    QVERIFY(UidTable::find(type, outerId));
    QVERIFY(UidTable::find(type, afterId));
    QCOMPARE(outer.size(), size_t(3));  // the type, outer and after
}

void tst_PolicyUids::aUidKeepsItsTypeName()
{
    const std::string type = fresh("Type");
    const std::string id = fresh("id");
    std::optional<UidLease> typeHolder(std::in_place);
    TypeId typeId = 0;
    {
        const UidLease::Scope scope(*typeHolder);
        typeId = UidTable::type(type);
    }
    UidLease uidHolder;
    EntityRef ref;
    {
        const UidLease::Scope scope(uidHolder);
        ref = UidTable::uid(typeId, id);  // by number: this lease never named the type
    }
    typeHolder.reset();
    QCOMPARE(UidTable::typeName(typeId), type);
    QCOMPARE(UidTable::display(ref), type + "::\"" + id + '"');
}

void tst_PolicyUids::policySetsHoldTheirLiterals()
{
    const UidTable::Size before = UidTable::size();
    const QByteArray source = QByteArray("permit(principal == ") + fresh("User").c_str() + "::\"alice\", action, resource)"
                              + " when { resource in " + fresh("Folder").c_str() + "::\"f\" && principal is "
                              + fresh("Kind").c_str() + " };";
    std::optional<PolicySet> copy;
    {
        Result<PolicySet> set = PolicySet::parse(view(source));
        QVERIFY2(set, qPrintable(set ? QString() : set.error().toString()));
        QCOMPARE(UidTable::size().uids, before.uids + 2);
        QCOMPARE(UidTable::size().types, before.types + 3);
        copy = set.value();
    }
    QCOMPARE(UidTable::size().uids, before.uids + 2);  // the copy holds them
    copy.reset();
    QCOMPARE(UidTable::size().uids, before.uids);
    QCOMPARE(UidTable::size().types, before.types);

    // A set that does not parse keeps nothing either.
    QVERIFY(!PolicySet::parse(view(QByteArray("permit(principal == ") + fresh("User").c_str() + "::\"x\", action, resource) when {")));
    QCOMPARE(UidTable::size().uids, before.uids);
    QCOMPARE(UidTable::size().types, before.types);
}

void tst_PolicyUids::entityStoresHoldTheirEntities()
{
    const UidTable::Size before = UidTable::size();
    const std::string type = fresh("User");
    const QByteArray json = QByteArray("[{\"uid\": {\"type\": \"") + type.c_str()
                            + "\", \"id\": \"a\"}, \"attrs\": {\"manager\": {\"__entity\": {\"type\": \"" + type.c_str()
                            + "\", \"id\": \"m\"}}}, \"parents\": [{\"type\": \"" + type.c_str() + "\", \"id\": \"g\"}]}]";
    std::optional<EntityStore> store;
    {
        Result<EntityStore> parsed = JsonFormats::entities(JsonFormats::read(json).value(), nullptr);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
        store = std::move(parsed).value();
    }
    QCOMPARE(UidTable::size().uids, before.uids + 3);
    const Entity *a = store->find(*UidTable::find(type, "a"));
    QVERIFY(a);
    QCOMPARE(UidTable::display(a->parents.front()), type + "::\"g\"");
    store.reset();
    QCOMPARE(UidTable::size().uids, before.uids);
    QCOMPARE(UidTable::size().types, before.types);

    // Refused input keeps nothing.
    const QByteArray refused = QByteArray("[{\"uid\": {\"type\": \"") + type.c_str() + "\", \"id\": \"a\"}, \"attrs\": 1, \"parents\": []}]";
    QVERIFY(!JsonFormats::entities(JsonFormats::read(refused).value(), nullptr));
    QCOMPARE(UidTable::size().uids, before.uids);
}

void tst_PolicyUids::schemasHoldTheirTypesAndActions()
{
    const UidTable::Size before = UidTable::size();
    const std::string ns = fresh("Ns");
    const QByteArray source = QByteArray("namespace ") + ns.c_str() + " { entity U; entity D; action read appliesTo { principal: U, resource: D }; }";
    std::optional<Schema> schema;
    {
        Result<Schema> parsed = Schema::parseCedar(view(source));
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
        schema = std::move(parsed).value();
    }
    QVERIFY(UidTable::size().types > before.types);
    QVERIFY(UidTable::find(ns + "::Action", "read"));
    // An entity store that adds the schema's actions keeps them after the schema is gone.
    std::optional<EntityStore> actions(std::in_place);
    schema->addActionEntities(*actions);
    schema.reset();
    QVERIFY(UidTable::find(ns + "::Action", "read"));
    actions.reset();
    QVERIFY(!UidTable::find(ns + "::Action", "read"));
    QCOMPARE(UidTable::size().uids, before.uids);
    QCOMPARE(UidTable::size().types, before.types);
}

void tst_PolicyUids::decisionsSurviveTheirInputsLeases()
{
    // Each part holds its own refs: the policy set, the entities and the request, read under
    // different leases, still decide together (and equal names are equal numbers across them).
    const std::string user = fresh("User");
    const QByteArray policies = QByteArray("permit(principal in ") + user.c_str() + "::\"staff\", action, resource);";
    Result<PolicySet> set = PolicySet::parse(view(policies));
    QVERIFY(set);
    const QByteArray entities = QByteArray("[{\"uid\": {\"type\": \"") + user.c_str() + "\", \"id\": \"alice\"}, \"attrs\": {}, "
                                + "\"parents\": [{\"type\": \"" + user.c_str() + "\", \"id\": \"staff\"}]}]";
    Result<EntityStore> store = JsonFormats::entities(JsonFormats::read(entities).value(), nullptr);
    QVERIFY(store);
    Request request;
    {
        auto lease = std::make_shared<UidLease>();
        const UidLease::Scope scope(*lease);
        request.principal = UidTable::uid(user, "alice");
        request.action = UidTable::uid("Action", "view");
        request.resource = UidTable::uid("Doc", fresh("doc"));
        request.uids = lease;
    }
    QVERIFY(Authorizer::isAuthorized(set.value(), store.value(), request).allowed);
    request.principal = UidTable::uid(user, "mallory");  // pinned: not in the store
    QVERIFY(!Authorizer::isAuthorized(set.value(), store.value(), request).allowed);
}

void tst_PolicyUids::concurrentLeasesAgreeOnNumbers()
{
    // Threads intern the same name at the same moment, each under its own lease, and let go of
    // it together: they must all get one number (never two entries for a name), and at the end
    // nothing is left behind but what was pinned.
    const std::string type = fresh("Shared");
    const EntityRef pinned = UidTable::uid(type, "always");  // no scope: pinned throughout
    const UidTable::Size before = UidTable::size();
    constexpr int kThreads = 4;
    constexpr int kRounds = 2000;
    std::barrier sync(kThreads);
    std::array<EntityRef, kThreads> seen{};
    std::atomic<int> disagreements{0};
    const auto work = [&](int thread) {
        for (int round = 0; round < kRounds; ++round) {
            {
                UidLease lease;
                const UidLease::Scope scope(lease);
                const std::string id = "n" + std::to_string(round % 3);
                seen[size_t(thread)] = UidTable::uid(type, id);
                if (UidTable::id(seen[size_t(thread)]) != id || !(UidTable::uid(type, "always") == pinned))
                    ++disagreements;
                sync.arrive_and_wait();  // every thread holds the name now
                for (const EntityRef &other : seen) {
                    if (!(other == seen[size_t(thread)]))
                        ++disagreements;
                }
                sync.arrive_and_wait();  // every thread has compared
            }
            sync.arrive_and_wait();  // every lease is gone
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back(work, t);
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(disagreements.load(), 0);
    QCOMPARE(UidTable::size().uids, before.uids);
    QCOMPARE(UidTable::size().types, before.types);
    QVERIFY(!UidTable::find(type, "n0"));
}

QTEST_GUILESS_MAIN(tst_PolicyUids)
#include "tst_policy_uids.moc"
