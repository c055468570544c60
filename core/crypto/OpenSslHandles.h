// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to core/crypto: owning handles for OpenSSL objects. Only .cpp files of this folder
// include it, so no other part of Mandate sees an OpenSSL type.
#include "common/Error.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include <memory>

namespace mandate::crypto::detail {

struct PkeyFree { void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX *p) const { EVP_PKEY_CTX_free(p); } };
struct MdCtxFree { void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); } };
struct BnFree { void operator()(BIGNUM *p) const { BN_free(p); } };
struct BnCtxFree { void operator()(BN_CTX *p) const { BN_CTX_free(p); } };
struct ParamBldFree { void operator()(OSSL_PARAM_BLD *p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM *p) const { OSSL_PARAM_free(p); } };
struct EcdsaSigFree { void operator()(ECDSA_SIG *p) const { ECDSA_SIG_free(p); } };
struct KdfFree { void operator()(EVP_KDF *p) const { EVP_KDF_free(p); } };
struct KdfCtxFree { void operator()(EVP_KDF_CTX *p) const { EVP_KDF_CTX_free(p); } };

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using KdfPtr = std::unique_ptr<EVP_KDF, KdfFree>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

/// An Error for a failed OpenSSL call, with OpenSSL's reason appended; drains the error queue
/// so a stale entry cannot be blamed on a later call.
inline Error opensslError(const char *what)
{
    QString message = QString::fromLatin1(what);
    unsigned long code = ERR_get_error();
    if (code != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        message += QStringLiteral(" (") + QString::fromLatin1(buffer) + QLatin1Char(')');
    }
    ERR_clear_error();
    return Error{QStringLiteral("crypto"), message, {}};
}

inline const uchar *bytes(QByteArrayView v) { return reinterpret_cast<const uchar *>(v.data()); }

} // namespace mandate::crypto::detail
