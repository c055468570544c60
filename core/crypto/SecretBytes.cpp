// SPDX-License-Identifier: Apache-2.0
#include "crypto/SecretBytes.h"

#include <openssl/crypto.h>

#include <cstring>
#include <utility>

namespace mandate::crypto {

SecretBytes::SecretBytes(QByteArrayView bytes) : SecretBytes(bytes.size())
{
    if (m_size > 0)
        std::memcpy(m_data, bytes.data(), size_t(m_size));
}

SecretBytes::SecretBytes(qsizetype size)
{
    if (size > 0) {
        m_data = new char[size_t(size)]();
        m_size = size;
    }
}

SecretBytes::SecretBytes(const SecretBytes &other) : SecretBytes(other.view()) {}

SecretBytes::SecretBytes(SecretBytes &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0))
{
}

SecretBytes &SecretBytes::operator=(const SecretBytes &other)
{
    if (this != &other) {
        SecretBytes copy(other);
        *this = std::move(copy);
    }
    return *this;
}

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecretBytes::~SecretBytes()
{
    clear();
}

void SecretBytes::clear()
{
    if (m_data) {
        OPENSSL_cleanse(m_data, size_t(m_size));
        delete[] m_data;
    }
    m_data = nullptr;
    m_size = 0;
}

} // namespace mandate::crypto
