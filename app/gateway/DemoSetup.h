// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiKeyStore.h"
#include "registry/Registry.h"

namespace mandate::gateway {

/// Prepares a --demo gateway's data directory: loads the demo registry on first start and
/// writes one API key per role (admin.key, auditor.key, analyst.key, mode 0600) whenever the
/// existing file no longer authenticates.
class DemoSetup
{
public:
    DemoSetup(registry::Registry &registry, api::ApiKeyStore &keys, QString dataDir, QString upstreamBase);

    Status run();
    QStringList filesWritten() const { return m_written; }

private:
    Status loadRegistry();
    Status followDemoUpstream();
    Status ensureKey(api::Role role);

    registry::Registry &m_registry;
    api::ApiKeyStore &m_keys;
    QString m_dataDir;
    QString m_upstreamBase;
    QStringList m_written;
};

} // namespace mandate::gateway
