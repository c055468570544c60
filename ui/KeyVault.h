// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QObject>

#include <functional>
#include <optional>

namespace mandate::ui {

/// Where the console keeps gateway API keys: the OS keychain through QtKeychain. When no keychain
/// service exists (a headless CI box, a desktop without a secret service) it keeps keys in memory
/// for this session only and says so (sessionOnly()); it never falls back to plain settings.
class KeyVault final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyVault)

public:
    enum class Mode { Keychain, SessionOnly };

    explicit KeyVault(Mode mode = Mode::Keychain, QObject *parent = nullptr);

    /// True once the keychain turned out to be unavailable (or was never used).
    bool sessionOnly() const { return m_mode == Mode::SessionOnly; }
    /// Why keys are session-only, for the UI ("no secret service on this desktop").
    QString sessionOnlyReason() const { return m_reason; }

    /// Stores `key` for the gateway `profile`; `done(error)` gets an empty string on success.
    void store(const QString &profile, const QByteArray &key, QObject *context, std::function<void(QString)> done);
    /// Loads the key of `profile`; nullopt when none is stored.
    void load(const QString &profile, QObject *context, std::function<void(std::optional<QByteArray>)> done);
    void remove(const QString &profile);

Q_SIGNALS:
    void modeChanged();

private:
    void fallBack(const QString &reason);

    Mode m_mode;
    QString m_reason;
    QHash<QString, QByteArray> m_memory;  // session-only keys, and a cache of keychain ones
};

} // namespace mandate::ui
