// SPDX-License-Identifier: Apache-2.0
#include "crypto/EcP256PublicKey.h"

#include "crypto/OpenSslHandles.h"

#include <openssl/core_names.h>

namespace mandate::crypto {

using namespace detail;

class EcP256PublicKey::Impl
{
public:
    Impl(PkeyPtr key, QByteArray x, QByteArray y) : key(std::move(key)), x(std::move(x)), y(std::move(y)) {}
    PkeyPtr key;
    QByteArray x;
    QByteArray y;
};

EcP256PublicKey::EcP256PublicKey() = default;
EcP256PublicKey::~EcP256PublicKey() = default;
EcP256PublicKey::EcP256PublicKey(const EcP256PublicKey &) = default;
EcP256PublicKey &EcP256PublicKey::operator=(const EcP256PublicKey &) = default;

namespace {

Error badKey(const QString &message)
{
    return Error{QStringLiteral("bad_key"), message, {}};
}

Error badSignature(const QString &message)
{
    return Error{QStringLiteral("bad_signature"), message, {}};
}

} // namespace

Result<EcP256PublicKey> EcP256PublicKey::fromCoordinates(QByteArrayView x, QByteArrayView y)
{
    if (x.size() != kCoordinateSize || y.size() != kCoordinateSize)
        return badKey(QStringLiteral("P-256 coordinates must be %1 bytes each").arg(kCoordinateSize));
    QByteArray point;
    point.reserve(1 + 2 * kCoordinateSize);
    point.append('\x04');
    point.append(x.data(), x.size());
    point.append(y.data(), y.size());

    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder
        || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                            size_t(point.size())) != 1)
        return opensslError("cannot build P-256 key parameters");
    ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        ERR_clear_error();
        return badKey(QStringLiteral("P-256 public key is not a point on the curve"));
    }
    PkeyPtr key(raw);
    // fromdata decodes the point; the explicit check also rejects the point at infinity and
    // points outside the prime-order subgroup.
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        ERR_clear_error();
        return badKey(QStringLiteral("P-256 public key fails validation"));
    }
    EcP256PublicKey out;
    out.d = std::make_shared<const Impl>(std::move(key), x.toByteArray(), y.toByteArray());
    return out;
}

QByteArray EcP256PublicKey::x() const
{
    return d ? d->x : QByteArray();
}

QByteArray EcP256PublicKey::y() const
{
    return d ? d->y : QByteArray();
}

Status EcP256PublicKey::verify(QByteArrayView message, QByteArrayView signature) const
{
    if (!d)
        return badKey(QStringLiteral("no P-256 key"));
    if (signature.size() != kSignatureSize)
        return badSignature(QStringLiteral("ES256 signature must be %1 bytes (r || s), not %2")
                                .arg(kSignatureSize)
                                .arg(signature.size()));
    BnPtr r(BN_bin2bn(bytes(signature), int(kCoordinateSize), nullptr));
    BnPtr s(BN_bin2bn(bytes(signature) + kCoordinateSize, int(kCoordinateSize), nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig)
        return opensslError("out of memory");
    if (BN_is_zero(r.get()) || BN_is_zero(s.get()))
        return badSignature(QStringLiteral("ES256 signature has r or s equal to zero"));
    if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return opensslError("ECDSA_SIG_set0 failed");
    (void)r.release(); // owned by sig now
    (void)s.release();
    unsigned char *der = nullptr;
    const int derLength = i2d_ECDSA_SIG(sig.get(), &der);
    if (derLength <= 0)
        return opensslError("cannot encode ECDSA signature");
    MdCtxPtr ctx(EVP_MD_CTX_new());
    int rc = 0;
    if (ctx && EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, d->key.get(), nullptr) == 1)
        rc = EVP_DigestVerify(ctx.get(), der, size_t(derLength), bytes(message), size_t(message.size()));
    OPENSSL_free(der);
    if (rc != 1) {
        ERR_clear_error();
        return badSignature(QStringLiteral("ES256 signature does not verify"));
    }
    return {};
}

} // namespace mandate::crypto
