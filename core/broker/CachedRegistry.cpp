// SPDX-License-Identifier: Apache-2.0
#include "broker/CachedRegistry.h"

#include "common/Logging.h"

namespace mandate::broker {

namespace {

QString humanKey(const QString &issuer, const QString &subject)
{
    return issuer + QLatin1Char('\n') + subject;
}

} // namespace

CachedRegistry::CachedRegistry(registry::Registry &registry, const Clock &clock) : m_registry(registry), m_clock(clock)
{
    // Direct: the registry emits from the thread that wrote, and the next exchange on any
    // thread must already see the change.
    QObject::connect(&m_registry, &registry::Registry::changed, &m_watch, [this]() { invalidate(); }, Qt::DirectConnection);
}

void CachedRegistry::invalidate()
{
    std::lock_guard lock(m_mutex);
    ++m_generation;
    m_agents.clear();
    m_humans.clear();
    m_humansLoadedAt = -1;
}

Result<identity::Agent> CachedRegistry::agent(const QString &id) const
{
    const qint64 now = m_clock.nowSecs();
    quint64 generation = 0;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_agents.constFind(id);
        if (it != m_agents.constEnd() && now - it->loadedAt < kMaxAgeSecs && now >= it->loadedAt)
            return it->agent;
        generation = m_generation;
    }
    auto loaded = m_registry.agent(id);
    if (!loaded)
        return loaded;
    std::lock_guard lock(m_mutex);
    if (generation == m_generation) {
        if (m_agents.size() >= kMaxAgents)
            m_agents.clear();
        m_agents.insert(id, CachedAgent{loaded.value(), now});
    }
    return loaded;
}

Result<QString> CachedRegistry::humanId(const QString &issuer, const QString &subject) const
{
    const qint64 now = m_clock.nowSecs();
    quint64 generation = 0;
    {
        std::lock_guard lock(m_mutex);
        if (m_humansLoadedAt >= 0 && now - m_humansLoadedAt < kMaxAgeSecs && now >= m_humansLoadedAt) {
            // A miss in a fresh index is an answer too: an unknown subject must not make every
            // request scan the table again.
            const auto it = m_humans.constFind(humanKey(issuer, subject));
            return it == m_humans.constEnd() ? notFound(issuer, subject) : named(it.value(), issuer, subject);
        }
        generation = m_generation;
    }
    auto humans = m_registry.humans();
    if (!humans)
        return humans.error();
    QHash<QString, QString> index;
    QStringList ambiguous;
    index.reserve(qsizetype(humans->size()));
    for (const identity::Human &human : humans.value()) {
        // The registry refuses a second human with the same pair; one stored before it did
        // names nobody rather than whichever comes first.
        const QString key = humanKey(human.issuer, human.subject);
        if (const auto it = index.find(key); it != index.end()) {
            if (!it.value().isEmpty())
                ambiguous << QStringLiteral("\"%1\" and \"%2\"").arg(it.value(), human.id);
            it.value().clear();
        } else {
            index.insert(key, human.id);
        }
    }
    const auto it = index.constFind(humanKey(issuer, subject));
    Result<QString> found = it == index.constEnd() ? notFound(issuer, subject) : named(it.value(), issuer, subject);
    std::lock_guard lock(m_mutex);
    if (generation == m_generation) {
        m_humans = std::move(index);
        m_humansLoadedAt = now;
    }
    // Said once, not at every reload: those people cannot sign in until the registry is fixed.
    for (const QString &pair : std::as_const(ambiguous)) {
        if (!m_reportedAmbiguous.contains(pair)) {
            m_reportedAmbiguous.insert(pair);
            qCWarning(lcBroker).noquote() << "humans" << pair << "share an issuer and subject: their ID tokens are refused "
                                                                   "until one of them is changed";
        }
    }
    return found;
}

Error CachedRegistry::notFound(const QString &issuer, const QString &subject)
{
    return Error{QStringLiteral("not_found"), QStringLiteral("no human with issuer %1 and subject %2").arg(issuer, subject)};
}

/// An empty id marks a pair that several humans share.
Result<QString> CachedRegistry::named(const QString &humanId, const QString &issuer, const QString &subject)
{
    if (humanId.isEmpty())
        return Error{QStringLiteral("ambiguous"), QStringLiteral("several humans have issuer %1 and subject %2: the registry must name one")
                                                     .arg(issuer, subject)};
    return humanId;
}

} // namespace mandate::broker
