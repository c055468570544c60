// SPDX-License-Identifier: Apache-2.0
#include "crypto/Ed25519Key.h"

#include "crypto/OpenSslHandles.h"

#include <mutex>
#include <vector>

namespace mandate::crypto {

using namespace detail;

/// Holds the OpenSSL key and a small pool of initialised contexts. Re-initialising a context
/// costs a provider lookup per call, a measurable share of an Ed25519 verification; a context
/// initialised once can run any number of one-shot EdDSA operations (as `openssl speed` does).
class Ed25519Key::Impl
{
public:
    explicit Impl(PkeyPtr key, bool hasPrivate) : m_key(std::move(key)), m_hasPrivate(hasPrivate) {}
    ~Impl()
    {
        for (EVP_MD_CTX *ctx : m_signPool)
            EVP_MD_CTX_free(ctx);
        for (EVP_MD_CTX *ctx : m_verifyPool)
            EVP_MD_CTX_free(ctx);
    }
    Q_DISABLE_COPY_MOVE(Impl)

    EVP_PKEY *key() const { return m_key.get(); }
    bool hasPrivate() const { return m_hasPrivate; }

    /// A context ready for one-shot signing (sign = true) or verification; nullptr on failure.
    MdCtxPtr acquire(bool sign)
    {
        {
            std::lock_guard lock(m_mutex);
            auto &pool = sign ? m_signPool : m_verifyPool;
            if (!pool.empty()) {
                MdCtxPtr ctx(pool.back());
                pool.pop_back();
                return ctx;
            }
        }
        MdCtxPtr ctx(EVP_MD_CTX_new());
        if (!ctx)
            return nullptr;
        const int rc = sign ? EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, m_key.get(), nullptr)
                            : EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, m_key.get(), nullptr);
        return rc == 1 ? std::move(ctx) : nullptr;
    }

    void release(MdCtxPtr ctx, bool sign)
    {
        std::lock_guard lock(m_mutex);
        auto &pool = sign ? m_signPool : m_verifyPool;
        if (pool.size() < kMaxPooled)
            pool.push_back(ctx.release());
    }

private:
    static constexpr size_t kMaxPooled = 16;
    PkeyPtr m_key;
    bool m_hasPrivate;
    std::mutex m_mutex;
    std::vector<EVP_MD_CTX *> m_signPool;
    std::vector<EVP_MD_CTX *> m_verifyPool;
};

Ed25519Key::Ed25519Key() = default;
Ed25519Key::~Ed25519Key() = default;
Ed25519Key::Ed25519Key(const Ed25519Key &) = default;
Ed25519Key::Ed25519Key(Ed25519Key &&) noexcept = default;
Ed25519Key &Ed25519Key::operator=(const Ed25519Key &) = default;
Ed25519Key &Ed25519Key::operator=(Ed25519Key &&) noexcept = default;

Result<Ed25519Key> Ed25519Key::generate()
{
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key)
        return opensslError("Ed25519 key generation failed");
    Ed25519Key out;
    out.d = std::make_shared<Impl>(std::move(key), true);
    return out;
}

Result<Ed25519Key> Ed25519Key::fromSeed(QByteArrayView seed)
{
    if (seed.size() != kSeedSize)
        return Error{QStringLiteral("bad_key"),
                     QStringLiteral("Ed25519 private key must be %1 bytes, not %2").arg(kSeedSize).arg(seed.size()), {}};
    PkeyPtr key(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, bytes(seed), size_t(seed.size())));
    if (!key)
        return opensslError("invalid Ed25519 private key");
    Ed25519Key out;
    out.d = std::make_shared<Impl>(std::move(key), true);
    return out;
}

Result<Ed25519Key> Ed25519Key::fromPublicKey(QByteArrayView publicKey)
{
    if (publicKey.size() != kPublicKeySize)
        return Error{QStringLiteral("bad_key"),
                     QStringLiteral("Ed25519 public key must be %1 bytes, not %2").arg(kPublicKeySize).arg(publicKey.size()), {}};
    PkeyPtr key(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bytes(publicKey), size_t(publicKey.size())));
    if (!key)
        return opensslError("invalid Ed25519 public key");
    Ed25519Key out;
    out.d = std::make_shared<Impl>(std::move(key), false);
    return out;
}

bool Ed25519Key::hasPrivateKey() const
{
    return d && d->hasPrivate();
}

QByteArray Ed25519Key::publicKey() const
{
    if (!d)
        return {};
    QByteArray out(kPublicKeySize, Qt::Uninitialized);
    size_t length = size_t(out.size());
    if (EVP_PKEY_get_raw_public_key(d->key(), reinterpret_cast<uchar *>(out.data()), &length) != 1
        || length != size_t(kPublicKeySize)) {
        ERR_clear_error();
        return {};
    }
    return out;
}

SecretBytes Ed25519Key::seed() const
{
    if (!hasPrivateKey())
        return {};
    SecretBytes out(kSeedSize);
    size_t length = size_t(out.size());
    if (EVP_PKEY_get_raw_private_key(d->key(), reinterpret_cast<uchar *>(out.data()), &length) != 1
        || length != size_t(kSeedSize)) {
        ERR_clear_error();
        return {};
    }
    return out;
}

Result<QByteArray> Ed25519Key::sign(QByteArrayView message) const
{
    if (!hasPrivateKey())
        return Error{QStringLiteral("bad_key"), QStringLiteral("cannot sign with a public-only Ed25519 key"), {}};
    MdCtxPtr ctx = d->acquire(true);
    if (!ctx)
        return opensslError("cannot initialise Ed25519 signing");
    QByteArray signature(kSignatureSize, Qt::Uninitialized);
    size_t length = size_t(signature.size());
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<uchar *>(signature.data()), &length, bytes(message),
                       size_t(message.size())) != 1
        || length != size_t(kSignatureSize))
        return opensslError("Ed25519 signing failed");
    d->release(std::move(ctx), true);
    return signature;
}

Status Ed25519Key::verify(QByteArrayView message, QByteArrayView signature) const
{
    if (!d)
        return Error{QStringLiteral("bad_key"), QStringLiteral("no Ed25519 key"), {}};
    if (signature.size() != kSignatureSize)
        return Error{QStringLiteral("bad_signature"),
                     QStringLiteral("Ed25519 signature must be %1 bytes, not %2").arg(kSignatureSize).arg(signature.size()), {}};
    MdCtxPtr ctx = d->acquire(false);
    if (!ctx)
        return opensslError("cannot initialise Ed25519 verification");
    const int rc = EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()), bytes(message),
                                    size_t(message.size()));
    d->release(std::move(ctx), false);
    if (rc != 1) {
        ERR_clear_error();
        return Error{QStringLiteral("bad_signature"), QStringLiteral("Ed25519 signature does not verify"), {}};
    }
    return {};
}

} // namespace mandate::crypto
