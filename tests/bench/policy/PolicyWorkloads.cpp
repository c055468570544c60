// SPDX-License-Identifier: Apache-2.0
#include "PolicyWorkloads.h"

#include <random>

namespace mandate::policy::bench {

namespace {

QJsonObject uid(const QString &type, const QString &id)
{
    return QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}

QJsonObject ref(const QString &type, const QString &id)
{
    return QJsonObject{{QStringLiteral("__entity"), uid(type, id)}};
}

QJsonObject entity(const QJsonObject &id, const QJsonObject &attrs, const QJsonArray &parents)
{
    return QJsonObject{{QStringLiteral("uid"), id}, {QStringLiteral("attrs"), attrs}, {QStringLiteral("parents"), parents}};
}

QString n(const char *prefix, int i)
{
    return QLatin1String(prefix) + QString::number(i);
}

constexpr int kRequests = 64;

} // namespace

QJsonObject Workload::toJson() const
{
    QJsonArray reqs;
    for (size_t i = 0; i < requests.size(); ++i) {
        QJsonObject r = requests[i];
        r.insert(QStringLiteral("entities"), entities[i]);
        reqs.append(r);
    }
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("policies"), policies},
                       {QStringLiteral("requests"), reqs}};
}

Workload documentCloud(int policies, int entitiesPerRequest, unsigned seed)
{
    std::mt19937 rng(seed);
    auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    const int users = 1000, groups = 200, docs = 2000;
    Workload w;
    w.name = QStringLiteral("DocumentCloud/policies:%1/entities:%2").arg(policies).arg(entitiesPerRequest);
    w.policies = QStringLiteral(
        "permit(principal, action, resource) when { resource.owner == principal };\n"
        "permit(principal, action == Action::\"view\", resource) when { resource.isPublic };\n"
        "permit(principal, action == Action::\"view\", resource) when { principal in resource.viewACL };\n"
        "permit(principal, action in [Action::\"view\", Action::\"edit\"], resource) when { principal in resource.editACL };\n"
        "forbid(principal, action, resource) when { resource.blocked.contains(principal) };\n"
        "forbid(principal, action == Action::\"delete\", resource) unless { resource.owner == principal };\n");
    for (int i = 6; i < policies; ++i) {
        // Per-document sharing: a group or a user may view or edit one document or folder.
        const QString who = pick(2) ? QStringLiteral("principal in Group::\"%1\"").arg(n("g", pick(groups)))
                                    : QStringLiteral("principal == User::\"%1\"").arg(n("u", pick(users)));
        const QString what = pick(3) ? QStringLiteral("resource == Document::\"%1\"").arg(n("d", pick(docs)))
                                     : QStringLiteral("resource in Folder::\"%1\"").arg(n("f", pick(docs / 10)));
        w.policies += QStringLiteral("permit(%1, action == Action::\"%2\", %3) when { context.authenticated };\n")
                          .arg(who, pick(2) ? QStringLiteral("view") : QStringLiteral("edit"), what);
    }
    static const char *const actions[] = {"view", "edit", "delete"};
    for (int r = 0; r < kRequests; ++r) {
        QJsonArray es;
        const int u = pick(users), d = pick(docs);
        // The principal, its group chain, the resource and its folder chain, the ACL groups,
        // padded with other users who appear in the blocklist, up to the requested size.
        QJsonArray userParents;
        const int g1 = pick(groups), g2 = (g1 + 1 + pick(groups - 1)) % groups;
        userParents.append(uid(QStringLiteral("Group"), n("g", g1)));
        es.append(entity(uid(QStringLiteral("User"), n("u", u)), {{QStringLiteral("name"), n("user ", u)}}, userParents));
        es.append(entity(uid(QStringLiteral("Group"), n("g", g1)), {}, QJsonArray{uid(QStringLiteral("Group"), n("g", g2))}));
        es.append(entity(uid(QStringLiteral("Group"), n("g", g2)), {}, {}));
        QJsonArray blocked;
        const int extra = std::max(0, entitiesPerRequest - 5);
        for (int k = 0; k < extra; ++k) {
            const int other = pick(users);
            if (k % 2)
                blocked.append(ref(QStringLiteral("User"), n("u", other)));
            es.append(entity(uid(QStringLiteral("User"), n("u", users + k)), {}, QJsonArray{uid(QStringLiteral("Group"), n("g", pick(groups)))}));
        }
        const int owner = pick(4) ? pick(users) : u;
        es.append(entity(uid(QStringLiteral("Document"), n("d", d)),
                         {{QStringLiteral("owner"), ref(QStringLiteral("User"), n("u", owner))},
                          {QStringLiteral("isPublic"), pick(5) == 0},
                          {QStringLiteral("viewACL"), ref(QStringLiteral("Group"), n("g", pick(3) ? g2 : pick(groups)))},
                          {QStringLiteral("editACL"), ref(QStringLiteral("Group"), n("g", pick(groups)))},
                          {QStringLiteral("blocked"), blocked}},
                         QJsonArray{uid(QStringLiteral("Folder"), n("f", d / 10))}));
        es.append(entity(uid(QStringLiteral("Folder"), n("f", d / 10)), {}, {}));
        w.entities.push_back(es);
        w.requests.push_back({{QStringLiteral("principal"), uid(QStringLiteral("User"), n("u", u))},
                              {QStringLiteral("action"), uid(QStringLiteral("Action"), QString::fromLatin1(actions[pick(3)]))},
                              {QStringLiteral("resource"), uid(QStringLiteral("Document"), n("d", d))},
                              {QStringLiteral("context"), QJsonObject{{QStringLiteral("authenticated"), true}}}});
    }
    return w;
}

Workload codeHosting(int policies, int entitiesPerRequest, unsigned seed)
{
    std::mt19937 rng(seed);
    auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    const int users = 1000, teams = 100, repos = 1000, orgs = 10;
    Workload w;
    w.name = QStringLiteral("CodeHosting/policies:%1/entities:%2").arg(policies).arg(entitiesPerRequest);
    w.policies = QStringLiteral(
        "permit(principal, action == Action::\"pull\", resource) when { principal in resource.readers };\n"
        "permit(principal, action == Action::\"fork\", resource) when { principal in resource.readers };\n"
        "permit(principal, action in [Action::\"assign_issue\", Action::\"delete_issue\"], resource) when { principal in resource.triagers };\n"
        "permit(principal, action == Action::\"push\", resource) when { principal in resource.writers };\n"
        "permit(principal, action == Action::\"edit_issue\", resource) when { principal in resource.writers };\n"
        "permit(principal, action == Action::\"delete_repo\", resource) when { principal in resource.admins };\n"
        "forbid(principal, action, resource) when { resource.archived && action != Action::\"pull\" };\n");
    static const char *const actions[] = {"pull", "fork", "push", "assign_issue", "delete_issue", "edit_issue", "delete_repo"};
    for (int i = 7; i < policies; ++i)
        w.policies += QStringLiteral("permit(principal in Team::\"%1\", action == Action::\"%2\", resource == Repository::\"%3\");\n")
                          .arg(n("t", pick(teams)), QString::fromLatin1(actions[pick(7)]), n("r", pick(repos)));
    for (int r = 0; r < kRequests; ++r) {
        QJsonArray es;
        const int u = pick(users), repo = pick(repos), org = pick(orgs);
        const int t1 = pick(teams), t2 = (t1 + 1 + pick(teams - 1)) % teams;
        es.append(entity(uid(QStringLiteral("User"), n("u", u)), {}, QJsonArray{uid(QStringLiteral("Team"), n("t", t1))}));
        es.append(entity(uid(QStringLiteral("Team"), n("t", t1)), {}, QJsonArray{uid(QStringLiteral("Team"), n("t", t2))}));
        es.append(entity(uid(QStringLiteral("Team"), n("t", t2)), {}, QJsonArray{uid(QStringLiteral("Org"), n("o", org))}));
        es.append(entity(uid(QStringLiteral("Org"), n("o", org)), {}, {}));
        QJsonObject attrs{{QStringLiteral("archived"), pick(10) == 0}};
        static const char *const roles[] = {"readers", "triagers", "writers", "maintainers", "admins"};
        for (const char *role : roles)
            attrs.insert(QLatin1String(role), ref(QStringLiteral("Team"), n("t", pick(3) ? t2 : pick(teams))));
        es.append(entity(uid(QStringLiteral("Repository"), n("r", repo)), attrs, {}));
        for (int k = 5; k < entitiesPerRequest; ++k)
            es.append(entity(uid(QStringLiteral("Team"), n("x", k)), {}, QJsonArray{uid(QStringLiteral("Org"), n("o", org))}));
        w.entities.push_back(es);
        w.requests.push_back({{QStringLiteral("principal"), uid(QStringLiteral("User"), n("u", u))},
                              {QStringLiteral("action"), uid(QStringLiteral("Action"), QString::fromLatin1(actions[pick(7)]))},
                              {QStringLiteral("resource"), uid(QStringLiteral("Repository"), n("r", repo))},
                              {QStringLiteral("context"), QJsonObject{}}});
    }
    return w;
}

Workload irrelevantPolicies(int policies)
{
    Workload w;
    w.name = QStringLiteral("IrrelevantPolicies/policies:%1").arg(policies);
    w.policies = QStringLiteral("permit(principal == User::\"alice\", action == Action::\"view\", resource) when { resource.public };\n");
    for (int i = 1; i < policies; ++i)
        w.policies += QStringLiteral("permit(principal == User::\"%1\", action == Action::\"view\", resource in Folder::\"%2\") when { context.n > %3 };\n")
                          .arg(n("u", i), n("f", i % 50))
                          .arg(i);
    const QJsonArray es{
        entity(uid(QStringLiteral("User"), QStringLiteral("alice")), {}, {}),
        entity(uid(QStringLiteral("Doc"), QStringLiteral("d")), {{QStringLiteral("public"), true}},
               QJsonArray{uid(QStringLiteral("Folder"), QStringLiteral("f1"))}),
        entity(uid(QStringLiteral("Folder"), QStringLiteral("f1")), {}, {}),
    };
    for (int r = 0; r < kRequests; ++r) {
        w.entities.push_back(es);
        w.requests.push_back({{QStringLiteral("principal"), uid(QStringLiteral("User"), QStringLiteral("alice"))},
                              {QStringLiteral("action"), uid(QStringLiteral("Action"), QStringLiteral("view"))},
                              {QStringLiteral("resource"), uid(QStringLiteral("Doc"), QStringLiteral("d"))},
                              {QStringLiteral("context"), QJsonObject{{QStringLiteral("n"), 5}}}});
    }
    return w;
}

} // namespace mandate::policy::bench
