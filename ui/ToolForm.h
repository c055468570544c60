// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Tool.h"

#include <QHash>
#include <QWidget>

#include <functional>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;

namespace mandate::ui {

class FieldErrorLabel;
class RegistryDocument;

/// The form for one tool of the working copy; like AgentForm, every change is an undoable edit
/// and the core Validator's messages show inline.
class ToolForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolForm)

public:
    explicit ToolForm(RegistryDocument *document, QWidget *parent = nullptr);

    void showTool(quint64 uid);
    quint64 toolUid() const { return m_uid; }
    void setReadOnly(bool readOnly);

private:
    void build();
    void refresh();
    void edit(const QString &field, const std::function<void(identity::Tool &)> &apply);
    void addRow(QFormLayout *layout, const QString &label, QWidget *field, const QString &key);

    RegistryDocument *m_document;
    quint64 m_uid = 0;
    bool m_updating = false;
    bool m_readOnly = true;
    QLabel *m_title = nullptr;
    QWidget *m_body = nullptr;
    QLineEdit *m_displayName = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLineEdit *m_upstream = nullptr;
    QSpinBox *m_risk = nullptr;
    QSpinBox *m_rateLimit = nullptr;
    QComboBox *m_inspection = nullptr;
    QListWidget *m_actions = nullptr;
    QHash<QString, FieldErrorLabel *> m_errorLabels;
};

} // namespace mandate::ui
