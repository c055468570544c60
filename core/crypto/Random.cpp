// SPDX-License-Identifier: Apache-2.0
#include "crypto/Random.h"

#include "crypto/Base64Url.h"
#include "crypto/OpenSslHandles.h"

#include <openssl/rand.h>

namespace mandate::crypto {

Result<QByteArray> Random::bytes(qsizetype count)
{
    if (count < 0 || count > (1 << 20))
        return Error{QStringLiteral("crypto"), QStringLiteral("random byte count %1 out of range").arg(count), {}};
    QByteArray out(count, Qt::Uninitialized);
    if (count > 0 && RAND_bytes(reinterpret_cast<uchar *>(out.data()), int(count)) != 1)
        return detail::opensslError("RAND_bytes failed");
    return out;
}

Result<QString> Random::token(qsizetype count)
{
    auto raw = bytes(count);
    if (!raw)
        return raw.error();
    return QString::fromLatin1(Base64Url::encode(raw.value()));
}

} // namespace mandate::crypto
