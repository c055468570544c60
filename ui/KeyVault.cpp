// SPDX-License-Identifier: Apache-2.0
#include "KeyVault.h"

#include <qt6keychain/keychain.h>

#include <QPointer>

namespace mandate::ui {

namespace {

const QString serviceName = QStringLiteral("Mandate Console");

QString entryName(const QString &profile)
{
    return QStringLiteral("gateway/") + profile;
}

bool isUnavailable(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
        || error == QKeychain::OtherError || error == QKeychain::AccessDenied;
}

} // namespace

KeyVault::KeyVault(Mode mode, QObject *parent)
    : QObject(parent), m_mode(mode)
{
    if (mode == Mode::SessionOnly) {
        m_reason = tr("the OS keychain is not used in this session");
        return;
    }
    // Ask the keychain once at start, so the UI can say where keys go before the first one is stored.
    auto *probe = new QKeychain::ReadPasswordJob(serviceName, this);
    probe->setKey(QStringLiteral("probe"));
    probe->setInsecureFallback(false);
    connect(probe, &QKeychain::Job::finished, this, [this, probe] {
        if (isUnavailable(probe->error()))
            fallBack(tr("no keychain service is available (%1)").arg(probe->errorString()));
    });
    probe->start();
}

void KeyVault::fallBack(const QString &reason)
{
    if (m_mode == Mode::SessionOnly)
        return;
    m_mode = Mode::SessionOnly;
    m_reason = reason;
    Q_EMIT modeChanged();
}

void KeyVault::store(const QString &profile, const QByteArray &key, QObject *context, std::function<void(QString)> done)
{
    m_memory.insert(profile, key);
    if (m_mode == Mode::SessionOnly) {
        done(QString());
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(serviceName, this);
    job->setKey(entryName(profile));
    job->setBinaryData(key);
    job->setInsecureFallback(false);  // never a plain file
    const QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this, [this, job, guard, done = std::move(done)] {
        if (job->error() != QKeychain::NoError && isUnavailable(job->error()))
            fallBack(tr("no keychain service is available (%1)").arg(job->errorString()));
        const QString error = job->error() == QKeychain::NoError || isUnavailable(job->error()) ? QString() : job->errorString();
        if (guard)
            done(error);
    });
    job->start();
}

void KeyVault::load(const QString &profile, QObject *context, std::function<void(std::optional<QByteArray>)> done)
{
    if (m_mode == Mode::SessionOnly || m_memory.contains(profile)) {
        done(m_memory.contains(profile) ? std::optional<QByteArray>(m_memory.value(profile)) : std::nullopt);
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(serviceName, this);
    job->setKey(entryName(profile));
    job->setInsecureFallback(false);
    const QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this, [this, job, profile, guard, done = std::move(done)] {
        std::optional<QByteArray> key;
        if (job->error() == QKeychain::NoError) {
            key = job->binaryData();
            m_memory.insert(profile, *key);
        } else if (isUnavailable(job->error())) {
            fallBack(tr("no keychain service is available (%1)").arg(job->errorString()));
        }
        if (guard)
            done(key);
    });
    job->start();
}

void KeyVault::remove(const QString &profile)
{
    m_memory.remove(profile);
    if (m_mode == Mode::SessionOnly)
        return;
    auto *job = new QKeychain::DeletePasswordJob(serviceName, this);
    job->setKey(entryName(profile));
    job->start();
}

} // namespace mandate::ui
