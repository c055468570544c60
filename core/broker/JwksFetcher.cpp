// SPDX-License-Identifier: Apache-2.0
#include "broker/JwksFetcher.h"

#include "broker/CacheControl.h"
#include "common/Logging.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace mandate::broker {

namespace {

Error unavailable(const QUrl &url, const QString &why)
{
    return Error{QStringLiteral("jwks_unavailable"),
                 QStringLiteral("cannot fetch the JWKS at %1: %2").arg(url.toDisplayString(QUrl::RemoveUserInfo), why)};
}

bool isLoopback(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

/// The GET itself, on the calling thread's event loop: meant to run on a thread of its own.
Result<JwksFetcher::Fetched> fetchOnThisThread(const JwksFetcher::Options &options)
{
    const QUrl &url = options.url;
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    // Same origin only: a JWKS served from elsewhere is not the issuer's.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    request.setMaximumRedirectsAllowed(3);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setRawHeader("Accept", "application/jwk-set+json, application/json");
    request.setTransferTimeout(options.timeoutMs);
    std::unique_ptr<QNetworkReply> reply(network.get(request));

    QByteArray body;
    QString failure;
    const auto fail = [&](const QString &why) {
        if (failure.isEmpty())
            failure = why;
        reply->abort();
    };
    const auto take = [&]() {
        body += reply->read(options.maxBytes + 1 - body.size());
        if (body.size() > options.maxBytes)
            fail(QStringLiteral("the response exceeds %1 bytes").arg(options.maxBytes));
    };
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&]() { fail(QStringLiteral("no complete answer within %1 ms").arg(options.timeoutMs)); });
    QObject::connect(reply.get(), &QNetworkReply::metaDataChanged, &loop, [&]() {
        bool known = false;
        const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
        if (known && length > options.maxBytes)
            fail(QStringLiteral("the response announces %1 bytes, more than the limit of %2").arg(length).arg(options.maxBytes));
    });
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, take);
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    deadline.start(options.timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    if (failure.isEmpty() && reply->error() == QNetworkReply::NoError)
        take();
    if (!failure.isEmpty())
        return unavailable(url, failure);
    if (reply->error() == QNetworkReply::InsecureRedirectError || reply->error() == QNetworkReply::TooManyRedirectsError)
        return unavailable(url, QStringLiteral("redirect refused (only up to 3, within the same origin): %1").arg(reply->errorString()));
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid() && status.toInt() != 200)
        return unavailable(url, QStringLiteral("HTTP status %1").arg(status.toInt()));
    if (reply->error() != QNetworkReply::NoError)
        return unavailable(url, reply->errorString());

    auto keys = crypto::Jwks::parse(body);
    if (!keys)
        return unavailable(url, keys.error().message);
    const auto usable = std::count_if(keys->entries().cbegin(), keys->entries().cend(),
                                      [](const crypto::Jwks::Entry &e) { return e.key.has_value(); });
    if (usable == 0)
        return unavailable(url, QStringLiteral("the JWKS holds no usable key"));
    return JwksFetcher::Fetched{std::move(keys).value(), CacheControl::maxAgeSecs(reply->rawHeader("Cache-Control"))};
}

} // namespace

JwksFetcher::JwksFetcher(Options options, const Clock &clock) : m_options(std::move(options)), m_clock(clock) {}

Status JwksFetcher::checkUrl(const QUrl &url)
{
    const auto invalid = [&](const QString &why) {
        return Error{QStringLiteral("invalid"), QStringLiteral("JWKS URL %1: %2").arg(url.toDisplayString(QUrl::RemoveUserInfo), why)};
    };
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return invalid(QStringLiteral("not an absolute URL with a host"));
    if (!url.userInfo().isEmpty())
        return invalid(QStringLiteral("credentials in the URL are not accepted"));
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http")) {
        if (!isLoopback(url.host()))
            return invalid(QStringLiteral("keys must come over https (plain http only from a loopback address)"));
    } else if (scheme != QLatin1String("https")) {
        return invalid(QStringLiteral("scheme %1 is not http(s)").arg(scheme));
    }
    return Status::success();
}

Result<JwksFetcher::Fetched> JwksFetcher::fetch(const Options &options)
{
    if (Status s = checkUrl(options.url); !s)
        return unavailable(options.url, s.error().message);
    // A thread of its own, so that the caller never spins a nested event loop (which would
    // run other requests' handlers re-entrantly). fetchOnThisThread ends by its own deadline.
    Result<Fetched> result = unavailable(options.url, QStringLiteral("the fetch did not run"));
    std::unique_ptr<QThread> thread(QThread::create([&]() { result = fetchOnThisThread(options); }));
    thread->start();
    thread->wait();
    return result;
}

Status JwksFetcher::prefetch()
{
    std::lock_guard fetching(m_fetchMutex);
    {
        std::lock_guard lock(m_mutex);
        if (m_snapshot)
            return Status::success();
    }
    return refresh(false);
}

namespace {

/// The same keys under the same kids, with the same restrictions (alg, use, key_ops), in the
/// same order; unusable entries by their reason.
bool sameKeys(const crypto::Jwks &a, const crypto::Jwks &b)
{
    const auto fingerprints = [](const crypto::Jwks &keys) {
        QStringList out;
        for (const crypto::Jwks::Entry &entry : keys.entries()) {
            if (!entry.key) {
                out << entry.kid + QStringLiteral(" !") + entry.problem;
                continue;
            }
            QJsonObject key = entry.key->toJson();
            key.insert(QStringLiteral("key_ops"), QJsonArray::fromStringList(entry.key->keyOps()));
            out << entry.kid + u' ' + QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact));
        }
        return out;
    };
    return fingerprints(a) == fingerprints(b);
}

} // namespace

Status JwksFetcher::refresh(bool counts)
{
    const qint64 now = m_clock.nowSecs();
    auto fetched = fetch(m_options);
    std::lock_guard lock(m_mutex);
    if (!fetched) {
        qCWarning(lcBroker).noquote() << fetched.error().message;
        if (counts) {
            m_lastAttemptAt = now;
            m_lastFailure = fetched.error();
        }
        return fetched.error();
    }
    m_lastAttemptAt = now;
    m_lastFailure.reset();
    const qint64 lifetime = std::clamp(fetched->maxAgeSecs.value_or(m_options.defaultCacheSecs), m_options.minCacheSecs,
                                       m_options.maxCacheSecs);
    // The same keys again keep their version: a new one empties the verified-token caches, and
    // anyone can make the gateway refetch by naming an unknown kid.
    const bool unchanged = m_snapshot && sameKeys(m_snapshot->keys, fetched->keys);
    const quint64 version = !m_snapshot ? 1 : unchanged ? m_snapshot->version : m_snapshot->version + 1;
    m_snapshot = Snapshot{std::move(fetched->keys), version, now + lifetime};
    qCInfo(lcBroker).noquote() << "fetched" << m_snapshot->keys.entries().size() << "key(s) from"
                               << m_options.url.toDisplayString(QUrl::RemoveUserInfo) << "cached for" << lifetime << "s";
    return Status::success();
}

Result<JwksFetcher::Snapshot> JwksFetcher::current()
{
    const auto fresh = [this](qint64 now) { return m_snapshot && now < m_snapshot->expiresAt; };
    {
        std::lock_guard lock(m_mutex);
        if (fresh(m_clock.nowSecs()))
            return *m_snapshot;
    }
    std::lock_guard fetching(m_fetchMutex);
    {
        std::lock_guard lock(m_mutex);
        const qint64 now = m_clock.nowSecs();
        if (fresh(now))
            return *m_snapshot;  // fetched by another caller meanwhile
        // A failing IdP is asked again at most once per interval; until then, the same answer.
        if (m_lastFailure && now >= m_lastAttemptAt && now - m_lastAttemptAt < m_options.refetchIntervalSecs)
            return *m_lastFailure;
    }
    if (Status s = refresh(); !s)
        return s.error();
    std::lock_guard lock(m_mutex);
    return *m_snapshot;
}

std::optional<JwksFetcher::Snapshot> JwksFetcher::refetchForUnknownKid(quint64 seenVersion)
{
    std::lock_guard fetching(m_fetchMutex);
    {
        std::lock_guard lock(m_mutex);
        if (m_snapshot && m_snapshot->version > seenVersion)
            return m_snapshot;
        const qint64 now = m_clock.nowSecs();
        if (now >= m_lastAttemptAt && now - m_lastAttemptAt < m_options.refetchIntervalSecs)
            return std::nullopt;
    }
    if (!refresh())
        return std::nullopt;
    std::lock_guard lock(m_mutex);
    return m_snapshot;
}

} // namespace mandate::broker
