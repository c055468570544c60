// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QWidget>

class QFormLayout;
class QLabel;
class QVBoxLayout;

namespace mandate::ui {

class FieldErrorLabel;
class RegistryDocument;

/// What the registry's record forms (AgentForm, ToolForm) share: one record of the working
/// copy, shown under a bold title, each field over its own line of validation messages, and a
/// read-only mode for roles that may not edit.
class RecordForm : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordForm)

public:
    void setReadOnly(bool readOnly);

protected:
    /// `errorPrefix` names each field's error label: prefix + field key.
    RecordForm(RegistryDocument *document, QString errorPrefix, QWidget *parent);

    /// Shows the record's current state; called whenever it or the mode may have changed.
    virtual void refresh() = 0;

    /// The title, added at the top of `outer`: it stays there while the fields are hidden.
    void addTitle(QVBoxLayout *outer, const QString &objectName);
    /// A form layout for `page`: fields grow, labels sit right-aligned at their field's top.
    static QFormLayout *newForm(QWidget *page);
    /// A row: `field` over its error label, which a Validator path's `key` addresses.
    FieldErrorLabel *addRow(QFormLayout *layout, const QString &label, QWidget *field, const QString &key);
    /// Each field's messages (by key); fields without any are cleared.
    void showErrors(const QHash<QString, QStringList> &errors) const;

    RegistryDocument *m_document;
    quint64 m_uid = 0;
    bool m_updating = false;  ///< set while refresh() fills the fields: their signals are not edits
    bool m_readOnly = true;
    QLabel *m_title = nullptr;
    QWidget *m_body = nullptr;  ///< hidden while no record is shown

private:
    QString m_errorPrefix;
    QHash<QString, FieldErrorLabel *> m_errorLabels;
};

} // namespace mandate::ui
