// The SOAP side of network mode: reading what a switch sends to the
// registry (FaR isReachable v3) and to a mailbox operator (deliverSecure
// v3), and writing their answers, with libxml2. Element names and
// namespaces are those of the published Mina meddelanden contracts
// (docs/network.md); prefixes never matter. A request that is not
// well-formed XML, has an element in the wrong namespace or lacks a
// required element throws SoapError naming the element's path.
//
// Example usage:
//   IsReachable q = parse_is_reachable(body);           // throws SoapError
//   std::string answer = is_reachable_response(statuses, {});
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace wrongbox::net {

class SoapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace ns {
inline constexpr const char* kSoap = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* kRecipient3 = "http://minameddelanden.gov.se/schema/Recipient/v3";
inline constexpr const char* kRecipient = "http://minameddelanden.gov.se/schema/Recipient";
inline constexpr const char* kService3 = "http://minameddelanden.gov.se/schema/Service/v3";
inline constexpr const char* kService = "http://minameddelanden.gov.se/schema/Service";
inline constexpr const char* kMessage3 = "http://minameddelanden.gov.se/schema/Message/v3";
inline constexpr const char* kMessage2 = "http://minameddelanden.gov.se/schema/Message/v2";
inline constexpr const char* kMessage = "http://minameddelanden.gov.se/schema/Message";
inline constexpr const char* kSender = "http://minameddelanden.gov.se/schema/Sender";
inline constexpr const char* kCommon3 = "http://minameddelanden.gov.se/schema/Common/v3";
}  // namespace ns

struct IsReachable {
  std::string sender_org;
  std::vector<std::string> recipients;  // in the order asked
};

struct ReachabilityStatus {
  std::string recipient;
  std::string type = "Not";  // Secure, Anonymous or Not
  bool pending = false;
  bool has_supplier = false;
  std::string supplier_id, supplier_name, service_address;
  bool sender_accepted = true;
};

// Which optional elements an answer carries (the contract allows both).
struct Optionals {
  bool ui_address = true;
  bool last_registration = true;
  bool last_sender_accept_change = false;
};

struct Attachment {
  std::string content_type, filename, checksum, data;  // data decoded from base64
};

struct SecureMessage {
  std::string id, subject, content_type, body;  // body decoded from base64
  std::vector<Attachment> attachments;
};

struct SecureDelivery {
  std::string sender_id, sender_name, recipient;
  std::vector<SecureMessage> messages;
};

IsReachable parse_is_reachable(const std::string& body);
std::string is_reachable_response(const std::vector<ReachabilityStatus>& statuses,
                                  const Optionals& optionals);
SecureDelivery parse_deliver_secure(const std::string& body);
std::string deliver_secure_response(const std::string& trans_id, const std::string& recipient,
                                    bool delivered);
// A SOAP 1.1 fault carrying the contract's applicationFault.
std::string soap_fault(int error_code, const std::string& description, const std::string& call_id);

}  // namespace wrongbox::net
