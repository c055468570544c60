// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>

struct evp_md_ctx_st;

namespace mandate::crypto {

/// SHA-256 (FIPS 180-4).
class Sha256
{
public:
    static constexpr qsizetype kSize = 32;
    static QByteArray hash(QByteArrayView data);
    /// Writes the 32-byte digest to `out`; for hot paths that must not allocate.
    static void hash(QByteArrayView data, std::array<unsigned char, kSize> &out);

    /// Incremental SHA-256 on one reusable context, for hot loops that hash data in pieces:
    /// no copy to join them and no allocation per digest. Not shared between threads.
    class Hasher
    {
    public:
        Hasher();
        ~Hasher();
        Hasher(const Hasher &) = delete;
        Hasher &operator=(const Hasher &) = delete;

        void add(QByteArrayView data);
        /// The digest of everything added since the last one; the hasher is then ready again.
        void finish(std::array<unsigned char, kSize> &out);

    private:
        ::evp_md_ctx_st *m_ctx;
    };
};

} // namespace mandate::crypto
