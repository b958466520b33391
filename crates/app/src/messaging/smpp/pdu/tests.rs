//! Codec tests against hand-written byte fixtures laid out per SMPP 3.4 (§3.2 header,
//! §4.4.2 submit_sm_resp, §4.6.1 deliver_sm, §5.3.2 TLVs, Appendix B receipt text).

use super::*;

#[test]
fn submit_sm_resp_fixture_decodes_to_its_message_id() {
    // command_length 25 = 16 (header) + 9 ("0000002A" and its NUL); id 0x80000004;
    // status 0; sequence 7.
    let bytes: Vec<u8> = [
        &[0x00, 0x00, 0x00, 0x19][..],
        &[0x80, 0x00, 0x00, 0x04],
        &[0x00, 0x00, 0x00, 0x00],
        &[0x00, 0x00, 0x00, 0x07],
        b"0000002A\0",
    ]
    .concat();
    assert_eq!(bytes.len(), 25);
    // Not whole yet: nothing.
    assert_eq!(parse_frame(&bytes[..24]), Ok(None));
    let (pdu, used) = parse_frame(&bytes).unwrap().unwrap();
    assert_eq!(used, 25);
    assert_eq!(pdu.command_id, cmd::SUBMIT_SM_RESP);
    assert_eq!(pdu.command_status, status::ESME_ROK);
    assert_eq!(pdu.sequence, 7);
    assert_eq!(submit_sm_resp_id(&pdu.body), "0000002A");
    // An error resp has no body: empty id.
    assert_eq!(submit_sm_resp_id(&[]), "");
}

/// The receipt text of the fixture: 12 + 8 + 10 + 23 + 21 + 13 + 8 + 5 = 100 octets.
const RECEIPT_TEXT: &[u8] =
    b"id:0000002A sub:001 dlvrd:001 submit date:2611171200 done date:2611171201 stat:DELIVRD err:000 text:";

fn receipt_fixture(tlvs: &[u8], text: &[u8]) -> Vec<u8> {
    let body: Vec<u8> = [
        &[0x00][..],         // service_type ""
        &[0x01, 0x01],       // source TON 1, NPI 1
        b"447700900123\0",   // source_addr (13 octets)
        &[0x05, 0x00],       // destination TON 5, NPI 0
        b"Tollgate\0",       // destination_addr (9 octets)
        &[0x04],             // esm_class: SMSC delivery receipt
        &[0x00, 0x00],       // protocol_id, priority_flag
        &[0x00, 0x00],       // schedule_delivery_time "", validity_period ""
        &[0x00, 0x00],       // registered_delivery, replace_if_present_flag
        &[0x00],             // data_coding: GSM 03.38
        &[0x00],             // sm_default_msg_id
        &[text.len() as u8], // sm_length
        text,
        tlvs,
    ]
    .concat();
    let mut pdu = ((16 + body.len()) as u32).to_be_bytes().to_vec();
    pdu.extend_from_slice(&[0x00, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x02]);
    pdu.extend_from_slice(&body);
    pdu
}

#[test]
fn deliver_sm_receipt_fixture_decodes_to_a_delivered_receipt() {
    assert_eq!(RECEIPT_TEXT.len(), 100);
    let tlvs: Vec<u8> = [
        &[0x00, 0x1E, 0x00, 0x09][..], // receipted_message_id, length 9
        b"0000002A\0",
        &[0x04, 0x27, 0x00, 0x01, 0x02], // message_state, length 1: DELIVERED (2)
    ]
    .concat();
    let bytes = receipt_fixture(&tlvs, RECEIPT_TEXT);
    // Body: 1 + 2 + 13 + 2 + 9 + 1 + 2 + 2 + 2 + 1 + 1 + 1 + 100 + 13 + 5 = 155; PDU 171 = 0xAB.
    assert_eq!(&bytes[..4], &[0x00, 0x00, 0x00, 0xAB]);
    let (pdu, used) = parse_frame(&bytes).unwrap().unwrap();
    assert_eq!(used, 171);
    assert_eq!((pdu.command_id, pdu.sequence), (cmd::DELIVER_SM, 0x0102));
    let d = parse_deliver_sm(&pdu.body).unwrap();
    assert_eq!(
        d.source,
        Addr {
            ton: 1,
            npi: 1,
            addr: "447700900123".into()
        }
    );
    assert_eq!(
        d.destination,
        Addr {
            ton: 5,
            npi: 0,
            addr: "Tollgate".into()
        }
    );
    assert_eq!(d.receipted_message_id.as_deref(), Some("0000002A"));
    assert_eq!(d.message_state, Some(2));
    assert_eq!(
        inbound_of(&d),
        Inbound::Receipt {
            message_id: "0000002A".into(),
            state: ReceiptState::Delivered,
            error: "000".into(),
        }
    );
}

#[test]
fn a_receipt_without_tlvs_is_read_from_its_text() {
    let text = b"id:7F sub:001 dlvrd:000 submit date:2611171200 done date:2611171201 stat:UNDELIV err:069 text:hi";
    let bytes = receipt_fixture(&[], text);
    let (pdu, _) = parse_frame(&bytes).unwrap().unwrap();
    let d = parse_deliver_sm(&pdu.body).unwrap();
    assert_eq!(
        inbound_of(&d),
        Inbound::Receipt {
            message_id: "7F".into(),
            state: ReceiptState::Failed,
            error: "069".into()
        }
    );
}

#[test]
fn a_cut_tlv_makes_the_deliver_sm_malformed() {
    let bytes = receipt_fixture(&[0x04, 0x27, 0x00, 0x02, 0x02], RECEIPT_TEXT);
    let (pdu, _) = parse_frame(&bytes).unwrap().unwrap();
    assert_eq!(parse_deliver_sm(&pdu.body), None);
}

#[test]
fn command_length_outside_the_limits_is_refused() {
    assert_eq!(parse_frame(&[0, 0, 0, 15]), Err(FrameError::TooShort(15)));
    let too_long = (MAX_PDU_LEN as u32 + 1).to_be_bytes();
    assert_eq!(
        parse_frame(&too_long),
        Err(FrameError::TooLong(MAX_PDU_LEN as u32 + 1))
    );
}

#[test]
fn gsm_escapes_and_specials_have_their_03_38_code_points() {
    // '@' 0x00, '£' 0x01, 'A' 0x41, '€' ESC 0x65, '{' ESC 0x28, '_' 0x11, 'à' 0x7F, '$' 0x02.
    assert_eq!(
        gsm7_encode("@£A€{_à$").unwrap(),
        vec![0x00, 0x01, 0x41, 0x1B, 0x65, 0x1B, 0x28, 0x11, 0x7F, 0x02]
    );
    assert_eq!(gsm7_encode("東"), None);
    assert_eq!(gsm7_encode_lossy("a東b"), b"a?b".to_vec());
    assert!(!gsm7_encodable("`"));
}

#[test]
fn every_gsm_character_round_trips() {
    let all: String = gsm7::BASIC
        .iter()
        .filter(|&&c| c != '\u{1b}')
        .chain(gsm7::EXTENSION.iter().map(|e| &e.1))
        .collect();
    assert_eq!(all.chars().count(), 127 + 10);
    let bytes = gsm7_encode(&all).unwrap();
    assert_eq!(bytes.len(), 127 + 2 * 10);
    assert_eq!(gsm7_decode(&bytes), all);
    assert_eq!(gsm7_encode_lossy(&all), bytes);
}

#[test]
fn text_decodes_by_data_coding() {
    assert_eq!(
        decode_text(&[0x00, 0x5A, 0xD8, 0x3D, 0xDE, 0x00], DC_UCS2),
        "Z😀"
    );
    assert_eq!(decode_text(&[0x5A, 0xFC], DC_LATIN1), "Zü");
    assert_eq!(decode_text("Zü".as_bytes(), 0x04), "Zü");
    assert_eq!(ucs2_encode("Zü"), vec![0x00, 0x5A, 0x00, 0xFC]);
}

#[test]
fn addresses_take_their_ton_and_npi() {
    assert_eq!(
        source_addr("+4477"),
        Ok(Addr {
            ton: 1,
            npi: 1,
            addr: "4477".into()
        })
    );
    assert_eq!(
        source_addr("Tollgate"),
        Ok(Addr {
            ton: 5,
            npi: 0,
            addr: "Tollgate".into()
        })
    );
    assert_eq!(
        source_addr(""),
        Ok(Addr {
            ton: 0,
            npi: 0,
            addr: String::new()
        })
    );
    assert_eq!(source_addr("Zürich"), Err(status::ESME_RINVSRCADR));
    assert_eq!(
        destination_addr("+15550100"),
        Ok(Addr {
            ton: 1,
            npi: 1,
            addr: "15550100".into()
        })
    );
    assert_eq!(destination_addr("abc"), Err(status::ESME_RINVDSTADR));
    assert_eq!(
        destination_addr(&"1".repeat(21)),
        Err(status::ESME_RINVDSTADR)
    );
}

#[test]
fn a_long_body_goes_in_message_payload() {
    let from = source_addr("1").unwrap();
    let to = destination_addr("2").unwrap();
    let short = submit_sm_body(&from, &to, DC_GSM7, true, &[b'x'; 254]).unwrap();
    // 1 + 2 + 2 + 2 + 2 + 3 + 2 + 4 = 18 octets before sm_length; 254 in short_message.
    assert_eq!((short[18], short.len()), (254, 19 + 254));
    assert_eq!(short[14], 1); // registered_delivery
    let long = submit_sm_body(&from, &to, DC_GSM7, false, &[b'x'; 255]).unwrap();
    assert_eq!(&long[18..23], &[0, 0x04, 0x24, 0x00, 0xFF]);
    assert_eq!(long.len(), 23 + 255);
    assert_eq!(
        submit_sm_body(&from, &to, DC_GSM7, false, &vec![0; MAX_PAYLOAD + 1]),
        Err(status::ESME_RINVMSGLEN)
    );
}
