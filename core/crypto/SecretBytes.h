// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace mandate::crypto {

/// Bytes that must not outlive their use (private keys, client secrets, derived keys): the
/// buffer is wiped with OPENSSL_cleanse when the object dies or is overwritten. Unlike
/// QByteArray it never shares its buffer, so a wipe cannot miss an implicit copy.
class SecretBytes
{
public:
    SecretBytes() = default;
    explicit SecretBytes(QByteArrayView bytes);
    explicit SecretBytes(qsizetype size);
    SecretBytes(const SecretBytes &other);
    SecretBytes(SecretBytes &&other) noexcept;
    SecretBytes &operator=(const SecretBytes &other);
    SecretBytes &operator=(SecretBytes &&other) noexcept;
    ~SecretBytes();

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    const char *data() const { return m_data; }
    char *data() { return m_data; }
    QByteArrayView view() const { return {m_data, m_size}; }

    /// Wipes and empties.
    void clear();

private:
    char *m_data = nullptr;
    qsizetype m_size = 0;
};

} // namespace mandate::crypto
