// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiKeyStore.h"
#include "broker/OAuthClientStore.h"
#include "firewall/UpstreamCredentials.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"

namespace mandate::gateway {

/// Prepares a --demo gateway's data directory: loads the demo registry and policies on first start and
/// writes one API key per role (admin.key, auditor.key, analyst.key, mode 0600) whenever the
/// existing file no longer authenticates.
class DemoSetup
{
public:
    DemoSetup(registry::Registry &registry, registry::PolicyStore &policies, api::ApiKeyStore &keys, QString dataDir,
              QString upstreamBase);

    /// The credential the demo tools' upstream, the demo business API, is called with.
    static constexpr const char *kUpstreamCredential = "demo-api";

    /// Loads the demo registry and policies on first start (the demo tools named with
    /// kUpstreamCredential; tools of an older demo directory get it), and ensures the API keys.
    Status run();
    /// Writes the demo tools' upstream credential into `credentials`' directory (a random
    /// bearer token, mode 0600; the directory, if it has to be made, 0700) unless there is one.
    /// An existing file that is not a usable credential is an error, never overwritten.
    Status ensureUpstreamCredential(const firewall::UpstreamCredentials &credentials);
    /// Gives each demo agent an OAuth client and writes their credentials to demo-clients.json
    /// ({"support-agent":{"client_id":…,"client_secret":…},…}, mode 0600), unless the existing
    /// file still authenticates every one of them.
    Status ensureClients(broker::OAuthClientStore &clients);
    QStringList filesWritten() const { return m_written; }

private:
    Status loadRegistry();
    Status loadPolicies();
    Status followDemoUpstream();
    Status ensureKey(api::Role role);

    registry::Registry &m_registry;
    registry::PolicyStore &m_policies;
    api::ApiKeyStore &m_keys;
    QString m_dataDir;
    QString m_upstreamBase;
    QStringList m_written;
};

} // namespace mandate::gateway
