// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace mandate::policy::bench {

/// A prepared benchmark: a policy set, the entities of each request and the requests, all in
/// Cedar's own text/JSON formats so that cedar-wasm can run exactly the same thing.
struct Workload
{
    QString name;
    QString policies;
    /// One entity slice per request (5-50 entities: what a PEP would load for that request).
    std::vector<QJsonArray> entities;
    std::vector<QJsonObject> requests; ///< {principal, action, resource, context}

    QJsonObject toJson() const;
};

/// Document-sharing app (Cedar paper's "document cloud"): users in nested groups, documents
/// in folders with an owner, public flag, ACL groups and a blocklist; per-document sharing
/// policies plus a few general ones.
Workload documentCloud(int policies, int entitiesPerRequest, unsigned seed = 1);
/// Code-hosting app (Cedar paper's "GitHub"): users in teams in orgs, repositories with
/// reader/triager/writer/maintainer/admin teams; role policies plus per-repository ones.
Workload codeHosting(int policies, int entitiesPerRequest, unsigned seed = 2);
/// `policies` policies for other principals (none can apply) plus one that does: shows the
/// scope index keeps the cost flat.
Workload irrelevantPolicies(int policies);

} // namespace mandate::policy::bench
