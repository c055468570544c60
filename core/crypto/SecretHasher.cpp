// SPDX-License-Identifier: Apache-2.0
#include "crypto/SecretHasher.h"

#include "crypto/Base64Url.h"
#include "crypto/ConstantTime.h"
#include "crypto/OpenSslHandles.h"
#include "crypto/Random.h"
#include "crypto/SecretBytes.h"

#include <openssl/core_names.h>

#include <QRegularExpression>

namespace mandate::crypto {

using namespace detail;

namespace {

constexpr qsizetype kSaltBytes = 16;
constexpr qsizetype kHashBytes = 32;

Error badHash(const QString &message)
{
    return Error{QStringLiteral("bad_hash"), message, {}};
}

bool paramsInBounds(const SecretHasher::Params &p)
{
    // N·r·128 bytes of memory: ln ≤ 20 and r ≤ 16 caps it at 2 GiB only in the extreme corner;
    // the product check below keeps it at 256 MiB.
    if (p.logN < 1 || p.logN > 20 || p.r < 1 || p.r > 16 || p.p < 1 || p.p > 16)
        return false;
    return (qint64(1) << p.logN) * 128 * p.r <= qint64(256) * 1024 * 1024;
}

} // namespace

Result<QByteArray> SecretHasher::scrypt(QByteArrayView secret, QByteArrayView salt, const Params &params,
                                        qsizetype length)
{
    if (!paramsInBounds(params))
        return badHash(QStringLiteral("scrypt parameters out of bounds"));
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    if (!kdf)
        return opensslError("scrypt is not available");
    KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx)
        return opensslError("out of memory");
    uint64_t n = uint64_t(1) << params.logN;
    uint32_t r = uint32_t(params.r);
    uint32_t p = uint32_t(params.p);
    uint64_t maxMem = uint64_t(512) * 1024 * 1024;
    // OSSL_PARAM wants non-const pointers; OpenSSL only reads them.
    OSSL_PARAM ossl[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char *>(secret.data()), size_t(secret.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()), size_t(salt.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMem),
        OSSL_PARAM_construct_end(),
    };
    QByteArray out(length, Qt::Uninitialized);
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<uchar *>(out.data()), size_t(length), ossl) != 1)
        return opensslError("scrypt failed");
    return out;
}

Result<QString> SecretHasher::hash(QByteArrayView secret, const Params &params)
{
    auto salt = Random::bytes(kSaltBytes);
    if (!salt)
        return salt.error();
    auto derived = scrypt(secret, salt.value(), params, kHashBytes);
    if (!derived)
        return derived.error();
    QString encoded = QStringLiteral("$scrypt$ln=%1,r=%2,p=%3$").arg(params.logN).arg(params.r).arg(params.p)
                      + QString::fromLatin1(Base64Url::encode(salt.value())) + QLatin1Char('$')
                      + QString::fromLatin1(Base64Url::encode(derived.value()));
    return encoded;
}

Status SecretHasher::verify(QByteArrayView secret, QStringView encoded)
{
    static const QRegularExpression format(
        QStringLiteral("^\\$scrypt\\$ln=([0-9]{1,2}),r=([0-9]{1,2}),p=([0-9]{1,2})\\$([A-Za-z0-9_-]+)\\$([A-Za-z0-9_-]+)$"));
    const QString text = encoded.toString();
    const auto match = format.match(text);
    if (!match.hasMatch())
        return badHash(QStringLiteral("not a $scrypt$ secret hash"));
    Params params{match.capturedView(1).toInt(), match.capturedView(2).toInt(), match.capturedView(3).toInt()};
    if (!paramsInBounds(params))
        return badHash(QStringLiteral("scrypt parameters out of bounds"));
    auto salt = Base64Url::decode(match.capturedView(4).toLatin1());
    auto expected = Base64Url::decode(match.capturedView(5).toLatin1());
    if (!salt || !expected || salt->size() < 8 || salt->size() > 64 || expected->size() < 16 || expected->size() > 64)
        return badHash(QStringLiteral("malformed salt or hash in secret hash"));
    auto derived = scrypt(secret, salt.value(), params, expected->size());
    if (!derived)
        return derived.error();
    const SecretBytes actual(derived.value());
    derived->fill('\0');
    if (!ConstantTime::equal(actual.view(), expected.value()))
        return Error{QStringLiteral("secret_mismatch"), QStringLiteral("secret does not match"), {}};
    return {};
}

} // namespace mandate::crypto
