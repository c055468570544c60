// SPDX-License-Identifier: Apache-2.0
#include "ConnectionDialog.h"

#include "ConsoleSettings.h"
#include "KeyVault.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace mandate::ui {

ConnectionDialog::ConnectionDialog(ConsoleSettings &settings, KeyVault &vault, QWidget *parent)
    : QDialog(parent), m_settings(settings), m_vault(vault), m_list(new QListWidget(this)), m_name(new QLineEdit(this)),
      m_url(new QLineEdit(this)), m_ca(new QLineEdit(this)), m_key(new QLineEdit(this)), m_vaultStatus(new QLabel(this)),
      m_error(new QLabel(this)), m_connect(nullptr), m_remove(nullptr)
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(tr("Gateways"));
    auto *layout = new QHBoxLayout(this);

    auto *left = new QVBoxLayout;
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setMinimumWidth(180);
    left->addWidget(m_list);
    auto *listButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("&New"), this);
    add->setObjectName(QStringLiteral("newProfileButton"));
    m_remove = new QPushButton(tr("Re&move"), this);
    m_remove->setObjectName(QStringLiteral("removeProfileButton"));
    listButtons->addWidget(add);
    listButtons->addWidget(m_remove);
    left->addLayout(listButtons);
    layout->addLayout(left);

    auto *right = new QVBoxLayout;
    auto *form = new QFormLayout;
    m_name->setObjectName(QStringLiteral("profileName"));
    m_name->setPlaceholderText(tr("e.g. Production EU"));
    form->addRow(tr("&Name:"), m_name);
    m_url->setObjectName(QStringLiteral("profileUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://gateway.example.com:8443"));
    form->addRow(tr("&URL:"), m_url);
    auto *caRow = new QHBoxLayout;
    m_ca->setObjectName(QStringLiteral("profileCa"));
    m_ca->setPlaceholderText(tr("system trust store"));
    auto *browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose a CA certificate (PEM or DER)"));
    caRow->addWidget(m_ca);
    caRow->addWidget(browse);
    auto *caLabel = new QLabel(tr("&CA certificate:"), this);
    caLabel->setBuddy(m_ca);
    form->addRow(caLabel, caRow);
    auto *keyRow = new QHBoxLayout;
    m_key->setObjectName(QStringLiteral("profileApiKey"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("mdk_…"));
    auto *reveal = new QToolButton(this);
    reveal->setText(tr("Show"));
    reveal->setCheckable(true);
    keyRow->addWidget(m_key);
    keyRow->addWidget(reveal);
    auto *keyLabel = new QLabel(tr("API &key:"), this);
    keyLabel->setBuddy(m_key);
    form->addRow(keyLabel, keyRow);
    right->addLayout(form);
    m_vaultStatus->setObjectName(QStringLiteral("keychainStatus"));
    m_vaultStatus->setWordWrap(true);
    right->addWidget(m_vaultStatus);
    m_error->setObjectName(QStringLiteral("connectionError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    right->addWidget(m_error);
    right->addStretch();
    auto *buttons = new QDialogButtonBox(this);
    m_connect = buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_connect->setObjectName(QStringLiteral("connectButton"));
    m_connect->setDefault(true);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    right->addWidget(buttons);
    layout->addLayout(right, 1);

    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) { showProfile(row); });
    connect(add, &QPushButton::clicked, this, [this] {
        m_list->setCurrentRow(-1);
        m_name->clear();
        m_url->clear();
        m_ca->clear();
        m_key->clear();
        m_name->setFocus();
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int row = m_list->currentRow();
        if (row < 0 || row >= m_profiles.size())
            return;
        m_vault.remove(m_profiles[row].name);
        m_profiles.removeAt(row);
        m_settings.setGateways(m_profiles);
        loadProfiles();
    });
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("CA certificate"), QString(), tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"));
        if (!path.isEmpty())
            m_ca->setText(path);
    });
    connect(reveal, &QToolButton::toggled, this, [this](bool on) { m_key->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password); });
    connect(m_connect, &QPushButton::clicked, this, [this] { connectCurrent(); });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    connect(&m_vault, &KeyVault::modeChanged, this, [this] { updateVaultStatus(); });

    loadProfiles();
    updateVaultStatus();
    resize(680, 320);
}

void ConnectionDialog::updateVaultStatus()
{
    if (m_vault.sessionOnly()) {
        m_vaultStatus->setText(tr("⚠ Keys are kept in memory for this session only: %1. "
                                  "You will need to enter them again next time.").arg(m_vault.sessionOnlyReason()));
    } else {
        m_vaultStatus->setText(tr("API keys are stored in the system keychain, never in the settings file."));
    }
}

void ConnectionDialog::loadProfiles()
{
    m_profiles = m_settings.gateways();
    m_list->clear();
    for (const GatewayProfile &profile : std::as_const(m_profiles))
        m_list->addItem(profile.name);
    const QString last = m_settings.lastGateway();
    int row = 0;
    for (int i = 0; i < m_profiles.size(); ++i) {
        if (m_profiles[i].name == last)
            row = i;
    }
    m_list->setCurrentRow(m_profiles.isEmpty() ? -1 : row);
    m_remove->setEnabled(!m_profiles.isEmpty());
}

void ConnectionDialog::showProfile(int row)
{
    m_error->clear();
    if (row < 0 || row >= m_profiles.size())
        return;
    const GatewayProfile &profile = m_profiles[row];
    m_name->setText(profile.name);
    m_url->setText(profile.url.toString());
    m_ca->setText(profile.caCertificateFile);
    m_key->clear();
    m_vault.load(profile.name, this, [this, name = profile.name](std::optional<QByteArray> key) {
        if (key && m_name->text() == name && m_key->text().isEmpty())
            m_key->setText(QString::fromUtf8(*key));
    });
}

GatewayProfile ConnectionDialog::currentProfile() const
{
    return GatewayProfile{m_name->text().trimmed(), QUrl::fromUserInput(m_url->text().trimmed()), m_ca->text().trimmed()};
}

bool ConnectionDialog::saveCurrent()
{
    GatewayProfile profile = currentProfile();
    if (profile.name.isEmpty())
        profile.name = profile.url.host();
    if (profile.name.isEmpty() || m_url->text().trimmed().isEmpty()) {
        m_error->setText(tr("Give the gateway a name and a URL."));
        return false;
    }
    if (!profile.url.isValid() || (profile.url.scheme() != QLatin1String("http") && profile.url.scheme() != QLatin1String("https"))) {
        m_error->setText(tr("The URL must start with http:// or https://."));
        return false;
    }
    bool replaced = false;
    for (GatewayProfile &existing : m_profiles) {
        if (existing.name == profile.name) {
            existing = profile;
            replaced = true;
        }
    }
    if (!replaced)
        m_profiles.append(profile);
    m_settings.setGateways(m_profiles);
    m_settings.setLastGateway(profile.name);
    m_name->setText(profile.name);
    return true;
}

void ConnectionDialog::connectCurrent()
{
    m_error->clear();
    if (!saveCurrent())
        return;
    const GatewayProfile profile = currentProfile();
    const QByteArray key = m_key->text().trimmed().toUtf8();
    if (key.isEmpty()) {
        m_error->setText(tr("Enter the API key for this gateway."));
        return;
    }
    m_connect->setEnabled(false);
    m_vault.store(profile.name, key, this, [this, profile, key](const QString &error) {
        m_connect->setEnabled(true);
        if (!error.isEmpty()) {
            m_error->setText(tr("The key could not be stored in the keychain: %1").arg(error));
            return;
        }
        m_keptOpen = false;
        Q_EMIT connectRequested(profile, key);
        if (!m_keptOpen)
            accept();
    });
}

void ConnectionDialog::keepOpen(const QString &why)
{
    m_keptOpen = true;
    m_error->setText(why);
}

} // namespace mandate::ui
