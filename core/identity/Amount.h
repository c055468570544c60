// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <compare>
#include <optional>

namespace mandate::identity {

/// A money amount as an exact fixed-point decimal with four fractional digits (Cedar's
/// `decimal` precision). Budgets are charged with it, so no floating point anywhere.
class Amount
{
public:
    static constexpr qint64 Scale = 10'000;

    constexpr Amount() = default;
    static constexpr Amount fromUnits(qint64 units) { Amount a; a.m_units = units; return a; }

    /// Parses "1000", "1000.5", "42.00", "0.0001". Rejects signs, exponents, more than four
    /// fractional digits and values that overflow.
    static std::optional<Amount> parse(const QString &text);

    constexpr qint64 units() const { return m_units; }
    /// Canonical text with two to four fractional digits: "1000.00", "0.0001".
    QString toString() const;

    constexpr auto operator<=>(const Amount &) const = default;

private:
    qint64 m_units = 0;
};

} // namespace mandate::identity
