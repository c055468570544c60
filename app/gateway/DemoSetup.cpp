// SPDX-License-Identifier: Apache-2.0
#include "DemoSetup.h"

#include "common/Logging.h"
#include "common/PrivateFile.h"
#include "crypto/Random.h"
#include "json/JsonReader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace mandate::gateway {

DemoSetup::DemoSetup(registry::Registry &registry, registry::PolicyStore &policies, api::ApiKeyStore &keys,
                     QString dataDir, QString upstreamBase)
    : m_registry(registry), m_policies(policies), m_keys(keys), m_dataDir(std::move(dataDir)), m_upstreamBase(std::move(upstreamBase))
{
}

Status DemoSetup::run()
{
    if (Status loaded = loadRegistry(); !loaded)
        return loaded;
    if (Status loaded = loadPolicies(); !loaded)
        return loaded;
    for (api::Role role : {api::Role::Admin, api::Role::Auditor, api::Role::Analyst}) {
        if (Status key = ensureKey(role); !key)
            return key;
    }
    return Status::success();
}

Status DemoSetup::loadRegistry()
{
    auto humans = m_registry.humans();
    if (!humans)
        return humans.error();
    if (!humans->empty())
        return followDemoUpstream();  // not the first start: keep whatever the admins changed

    QFile file(QStringLiteral(":/mandate/demo/registry.json"));
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("internal"), QStringLiteral("the demo registry resource is missing")};
    QByteArray text = file.readAll();
    text.replace("${DEMO_UPSTREAM}", m_upstreamBase.toUtf8());
    Result<QJsonValue> document = json::parse(text);
    if (!document)
        return Error{QStringLiteral("internal"), QStringLiteral("demo registry: ") + document.error().toString()};
    auto imported = m_registry.importJson(document->toObject(), QStringLiteral("demo"));
    if (!imported)
        return imported.error();
    qCInfo(lcGateway) << "loaded the demo registry:" << imported->created << "records";
    return Status::success();
}

Status DemoSetup::loadPolicies()
{
    if (m_policies.current())
        return Status::success();  // published before: the analysts' edits win
    QFile file(QStringLiteral(":/mandate/policies/demo.cedar"));
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("internal"), QStringLiteral("the demo policy resource is missing")};
    auto published = m_policies.publish(QString::fromUtf8(file.readAll()), 0, QStringLiteral("demo"),
                                        QStringLiteral("demo policies"));
    if (!published)
        return published.error();
    return Status::success();
}

Status DemoSetup::followDemoUpstream()
{
    // The demo business API lives on this gateway, whose port may differ from the last start;
    // it answers only calls with the demo credential, which tools of older demo directories lack.
    auto tools = m_registry.tools();
    if (!tools)
        return tools.error();
    for (identity::Tool tool : tools.value()) {
        const QLatin1String marker("/demo-api/");
        const qsizetype at = tool.upstream.indexOf(marker);
        if (at < 0)
            continue;
        const QString moved = m_upstreamBase + tool.upstream.mid(at + marker.size() - 1);
        const QString credential = tool.upstreamCredential.isEmpty() ? QLatin1String(kUpstreamCredential) : tool.upstreamCredential;
        if (moved == tool.upstream && credential == tool.upstreamCredential)
            continue;
        const qint64 version = tool.version;
        tool.upstream = moved;
        tool.upstreamCredential = credential;
        if (auto updated = m_registry.update(tool, version, QStringLiteral("demo")); !updated)
            return updated.error();
    }
    return Status::success();
}

Status DemoSetup::ensureUpstreamCredential(const firewall::UpstreamCredentials &credentials)
{
    const QString directory = credentials.directory();
    const QString path = QDir(directory).filePath(QLatin1String(kUpstreamCredential));
    if (!QFileInfo::exists(path)) {
        // Only a directory made here is closed to others: an existing one is the operator's.
        if (!QFileInfo::exists(directory)
            && (!QDir().mkpath(directory)
                || !QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)))
            return Error{QStringLiteral("io"), QStringLiteral("cannot create the upstream credentials directory %1").arg(directory)};
        auto token = crypto::Random::token(32);
        if (!token)
            return token.error();
        if (Status written = PrivateFile::create(path, "Authorization: Bearer " + token->toLatin1() + '\n'); !written)
            return written;
        m_written << path;
    }
    auto credential = credentials.credential(QLatin1String(kUpstreamCredential));
    if (!credential)
        return credential.error();
    return Status::success();
}

Status DemoSetup::ensureKey(api::Role role)
{
    const QString path = QDir(m_dataDir).filePath(api::roleName(role) + QStringLiteral(".key"));
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        if (m_keys.authenticate(existing.readAll().trimmed()))
            return Status::success();
        existing.close();
        existing.remove();  // stale: its database is gone
    }
    Result<QString> key = m_keys.create(QStringLiteral("demo-") + api::roleName(role), role);
    if (!key)
        return key.error();
    if (Status written = PrivateFile::create(path, key->toLatin1() + '\n'); !written)
        return written;
    m_written << path;
    return Status::success();
}

Status DemoSetup::ensureClients(broker::OAuthClientStore &clients)
{
    const QStringList agents{QStringLiteral("support-agent"), QStringLiteral("finance-agent"), QStringLiteral("refund-subagent")};
    const QString path = QDir(m_dataDir).filePath(QStringLiteral("demo-clients.json"));
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        const auto document = json::parse(existing.read(64 * 1024));
        existing.close();
        bool valid = document && document->isObject();
        for (const QString &agent : agents) {
            if (!valid)
                break;
            const QJsonObject entry = document->toObject().value(agent).toObject();
            valid = entry.value(QStringLiteral("client_id")).toString() == agent
                    && clients.authenticate(agent, entry.value(QStringLiteral("client_secret")).toString().toUtf8()).ok();
        }
        if (valid)
            return Status::success();
        existing.remove();  // stale: its database is gone, or an agent's secret was rotated
    }
    QJsonObject document;
    for (const QString &agent : agents) {
        if (!m_registry.agent(agent).ok())
            continue;  // removed by an admin: no client for it
        auto secret = clients.issueSecret(agent);
        if (!secret)
            return secret.error();
        document.insert(agent, QJsonObject{{QStringLiteral("client_id"), agent}, {QStringLiteral("client_secret"), secret.value()}});
    }
    if (Status written = PrivateFile::create(path, QJsonDocument(document).toJson(QJsonDocument::Indented)); !written)
        return written;
    m_written << path;
    return Status::success();
}

} // namespace mandate::gateway
