//! Documents of a device (W 22.5 a, K2): the copy of the signed 5-year warranty agreement (the
//! RMA of a device over a year old needs it), a proof of purchase, a police report (E6). The
//! bytes are checked as the numbers' documents are (PDF, PNG or JPEG by their magic bytes, a
//! size cap): one table of document rules.

use sha2::{Digest, Sha256};
use tollgate_core::numbers as doc_rules;
use tollgate_core::rules;
use tollgate_store::hardware::{self as hw, system as hsys, DeviceDocumentRow};

use super::event;
use crate::ids::new_id;
use crate::numbers::NewDocument;
use crate::{App, AppError, Caller};

/// The kinds of a device's documents.
pub const DEVICE_DOCUMENT_KINDS: [&str; 3] =
    ["warranty_agreement", "proof_of_purchase", "police_report"];

impl App {
    /// Uploads a document of a device in scope; the agreement's copy puts it on file (K2).
    pub async fn upload_device_document(
        &self,
        caller: &Caller,
        device_id: &str,
        doc: NewDocument,
    ) -> Result<DeviceDocumentRow, AppError> {
        let (mut d, _) = self.device(caller, device_id).await?;
        if !DEVICE_DOCUMENT_KINDS.contains(&doc.kind.as_str()) {
            return Err(AppError::invalid(
                "kind_invalid",
                "kind",
                "warranty_agreement, proof_of_purchase or police_report",
            ));
        }
        if doc.kind == "warranty_agreement" && d.five_year_agreement != 1 {
            return Err(tollgate_core::Refusal::new(
                "agreement_not_applicable",
                rules::K2,
                "the device was not sold with a 5-year warranty agreement",
            )
            .on_field("kind")
            .into());
        }
        let filename = tollgate_core::text::check_name("filename", &doc.filename)?;
        let bytes = doc_rules::decode_base64(
            &doc.content_base64,
            doc_rules::MAX_DOCUMENT_BYTES,
            "content_base64",
        )?;
        doc_rules::check_document(&doc.content_type, &bytes)?;
        if hsys::device_documents(&self.store, &d.id).await?.len()
            >= doc_rules::MAX_DOCUMENTS_PER_SUBJECT
        {
            return Err(AppError::invalid(
                "too_many_documents",
                "content_base64",
                format!("at most {} documents", doc_rules::MAX_DOCUMENTS_PER_SUBJECT),
            ));
        }
        let now = self.now();
        let row = DeviceDocumentRow {
            id: new_id("ddoc"),
            device_id: d.id.clone(),
            customer_id: d.customer_id.clone().unwrap_or_default(),
            partner_id: d.partner_id.clone(),
            kind: doc.kind.clone(),
            filename,
            content_type: doc.content_type.clone(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            content_base64: doc.content_base64.split_whitespace().collect(),
            uploaded_by: caller.actor.actor.clone(),
            uploaded_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        if row.kind == "warranty_agreement" {
            d.agreement_copy = Some(format!("document:{}", row.id));
            d.updated_at = now;
            hw::update_device(&mut tx, &d).await?;
        }
        event(
            &mut tx,
            caller,
            now,
            &d,
            "document",
            format!("{} {} ({} bytes)", row.kind, row.filename, row.size_bytes),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// The documents of a device in scope (without their content).
    pub async fn device_documents(
        &self,
        caller: &Caller,
        device_id: &str,
    ) -> Result<Vec<DeviceDocumentRow>, AppError> {
        let (d, _) = self.device(caller, device_id).await?;
        Ok(hsys::device_documents(&self.store, &d.id).await?)
    }
}
