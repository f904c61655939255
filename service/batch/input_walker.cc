#include "service/batch/input_walker.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/batch/archive_ptr.h"
#include "service/file_io.h"

namespace kyso::batch {
namespace fs = std::filesystem;
namespace {

using Entry = InputWalker::Entry;
using Group = InputWalker::Group;

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

bool IsArchiveName(absl::string_view name) {
  const std::string n = Lower(name);
  for (const char* ext : {".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst"}) {
    if (absl::EndsWith(n, ext)) return true;
  }
  return false;
}

bool IsManifestName(absl::string_view name) { return absl::EndsWith(Lower(name), ".jsonl"); }

// The suffixes that make `x.SUFFIX` the detached signature of `x` (the issue's naming rule).
constexpr absl::string_view kPairSuffixes[] = {".p7s", ".sig"};

// Finds `x` + `x.p7s` / `x.sig` among a group's entries (by source name, so within one folder or
// one archive).
void PairByName(Group& group) {
  absl::flat_hash_map<std::string, size_t> by_source;
  for (size_t i = 0; i < group.entries.size(); ++i) by_source.emplace(group.entries[i].source, i);
  for (size_t i = 0; i < group.entries.size(); ++i) {
    Entry& sig = group.entries[i];
    if (sig.role != Entry::Role::kAlone || !sig.listing_error.empty()) continue;
    for (absl::string_view suffix : kPairSuffixes) {
      if (!absl::EndsWith(Lower(sig.source), suffix)) continue;
      const std::string base = sig.source.substr(0, sig.source.size() - suffix.size());
      auto it = by_source.find(base);
      if (it == by_source.end() || it->second == i) continue;
      Entry& content = group.entries[it->second];
      if (content.role != Entry::Role::kAlone || !content.listing_error.empty() ||
          !content.skip_reason.empty()) {
        continue;
      }
      sig.role = Entry::Role::kSignature;
      sig.partner = it->second;
      content.role = Entry::Role::kContent;
      content.partner = i;
      break;
    }
  }
}

// One file found in a folder (or named on the command line): what listing already knows.
Entry FileEntry(const fs::path& p) {
  Entry e;
  e.path = p.string();
  e.source = p.string();
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(p, ec);
  if (ec) {
    e.listing_error = absl::StrCat(e.path, ": ", ec.message());
    return e;
  }
  if (fs::is_symlink(link)) {
    const fs::file_status target = fs::status(p, ec);
    if (ec || !fs::exists(target)) {
      e.listing_error = absl::StrCat(e.path, ": dangling symbolic link");
    } else if (fs::is_directory(target)) {
      e.skip_reason = "symbolic link to a folder (not followed)";
    } else if (!fs::is_regular_file(target)) {
      e.skip_reason = "not a regular file";
    }
    return e;
  }
  if (!fs::is_regular_file(link)) e.skip_reason = "not a regular file";
  return e;
}

absl::StatusOr<Group> ListArchive(const std::string& path) {
  Group group;
  group.kind = Group::Kind::kArchive;
  group.archive = path;
  ArchiveReadPtr a(archive_read_new());
  if (!a) return absl::ResourceExhaustedError("libarchive: out of memory");
  archive_read_support_filter_all(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot read as an archive: ", archive_error_string(a.get())));
  }
  struct archive_entry* header = nullptr;  // borrowed from `a`
  for (;;) {
    const int r = archive_read_next_header(a.get(), &header);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL) {
      // The members listed so far are still walked; the rest of the archive is lost, and said so
      // as one error item for the archive itself.
      Entry e;
      e.path = absl::StrCat(path, "!/");
      e.source = "";
      e.listing_error = absl::StrCat(path, ": archive unreadable after ", group.entries.size(),
                                     " members: ", archive_error_string(a.get()));
      group.entries.push_back(std::move(e));
      break;
    }
    if (archive_entry_filetype(header) != AE_IFREG) continue;
    const char* name = archive_entry_pathname(header);
    Entry e;
    e.source = name != nullptr ? name : "";
    e.path = absl::StrCat(path, "!/", e.source);
    group.entries.push_back(std::move(e));
  }
  PairByName(group);
  return group;
}

absl::StatusOr<Group> ListManifest(const std::string& path) {
  Group group;
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the manifest"));
  const fs::path base = fs::path(path).parent_path();
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    Entry e;
    if (j.is_discarded() || !j.is_object() || !j.contains("path") || !j["path"].is_string() ||
        (j.contains("content") && !j["content"].is_string())) {
      e.path = absl::StrCat(path, ":", number);
      e.listing_error = absl::StrCat(path, ":", number,
                                     ": not a manifest line ({\"path\": ..., \"content\": ...})");
      group.entries.push_back(std::move(e));
      continue;
    }
    e = FileEntry((base / j["path"].get<std::string>()).lexically_normal());
    if (j.contains("content")) {
      e.role = Entry::Role::kSignature;
      e.partner = SIZE_MAX;  // the content is not an entry of its own
      e.source = (base / j["content"].get<std::string>()).lexically_normal().string();
    }
    group.entries.push_back(std::move(e));
  }
  return group;
}

absl::Status ListFolder(const std::string& root, std::vector<Group>* groups) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(root, ": ", ec.message()));
  // Files grouped by their folder, so pairs are found among siblings; sorted for a stable order.
  std::map<std::string, std::vector<fs::path>> by_folder;
  std::vector<std::string> archives;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      Group g;
      Entry e;
      e.path = it->path().string();
      e.listing_error = absl::StrCat(e.path, ": ", ec.message());
      g.entries.push_back(std::move(e));
      groups->push_back(std::move(g));
      ec.clear();
      continue;
    }
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) continue;
    const fs::path p = it->path();
    if (IsArchiveName(p.filename().string()) && it->is_regular_file(type_ec)) {
      archives.push_back(p.string());
      continue;
    }
    by_folder[p.parent_path().string()].push_back(p);
  }
  for (auto& [folder, files] : by_folder) {
    std::sort(files.begin(), files.end());
    Group g;
    for (const fs::path& p : files) g.entries.push_back(FileEntry(p));
    // Pairing compares source names; within one folder, the file name is enough.
    for (Entry& e : g.entries) e.source = fs::path(e.source).filename().string();
    PairByName(g);
    for (Entry& e : g.entries) e.source = e.path;
    groups->push_back(std::move(g));
  }
  std::sort(archives.begin(), archives.end());
  for (const std::string& archive : archives) {
    absl::StatusOr<Group> g = ListArchive(archive);
    if (g.ok()) {
      groups->push_back(*std::move(g));
    } else {
      Group bad;
      Entry e;
      e.path = archive;
      e.listing_error = std::string(g.status().message());
      bad.entries.push_back(std::move(e));
      groups->push_back(std::move(bad));
    }
  }
  return absl::OkStatus();
}

InputItem ErrorItem(std::string path, absl::Status error) {
  InputItem item;
  item.kind = InputItem::Kind::kError;
  item.path = std::move(path);
  item.error = std::move(error);
  return item;
}

// A read file becomes a document or, if neither its name nor its bytes say signature, a skipped
// item (the bytes are kept for the result's SHA-256).
InputItem Classify(const Entry& e, std::string bytes) {
  InputItem item;
  item.path = e.path;
  item.bytes = std::move(bytes);
  if (e.role == Entry::Role::kAlone &&
      !HasSignatureExtension(fs::path(e.path).filename().string()) &&
      !LooksLikeSignature(item.bytes)) {
    item.kind = InputItem::Kind::kSkipped;
    item.skip_reason =
        "not a signature (neither a signature file name nor CMS or signed XML bytes)";
  }
  return item;
}

std::string ContentReason(const std::string& signature_path) {
  return absl::StrCat("detached content of ", signature_path);
}

void WalkFiles(const Group& group, const WalkOptions& options,
               const std::function<bool(InputItem)>& sink, bool* stop) {
  for (const Entry& e : group.entries) {
    if (*stop) return;
    if (options.wanted && !options.wanted(e.path)) continue;
    InputItem item;
    if (!e.listing_error.empty()) {
      item = ErrorItem(e.path, absl::NotFoundError(e.listing_error));
    } else if (!e.skip_reason.empty()) {
      item.kind = InputItem::Kind::kSkipped;
      item.path = e.path;
      item.skip_reason = e.skip_reason;
    } else {
      absl::StatusOr<std::string> bytes = ReadFile(e.source, options.max_bytes);
      if (!bytes.ok()) {
        item = ErrorItem(e.path, bytes.status());
      } else if (e.role == Entry::Role::kContent) {
        item.kind = InputItem::Kind::kSkipped;
        item.path = e.path;
        item.bytes = *std::move(bytes);
        item.skip_reason = ContentReason(group.entries[e.partner].path);
      } else {
        item = Classify(e, *std::move(bytes));
        if (e.role == Entry::Role::kSignature) {
          const std::string& content_source =
              e.partner == SIZE_MAX ? e.source : group.entries[e.partner].source;
          absl::StatusOr<std::string> content = ReadFile(content_source, options.max_bytes);
          // Unreadable content: the signature is still verified (SIGNED_DATA_NOT_FOUND) and the
          // content file reports its own error.
          if (content.ok()) {
            item.content = *std::move(content);
            item.content_name = fs::path(content_source).filename().string();
          } else if (e.partner == SIZE_MAX) {
            item = ErrorItem(e.path,
                             absl::Status(content.status().code(),
                                          absl::StrCat("content: ", content.status().message())));
          }
        }
      }
    }
    if (!sink(std::move(item))) *stop = true;
  }
}

// Reads the current member's data, up to max_bytes.
absl::StatusOr<std::string> ReadMember(struct archive* a, struct archive_entry* header,
                                       const std::string& path, size_t max_bytes) {
  if (archive_entry_size_is_set(header) && archive_entry_size(header) > 0 &&
      static_cast<uint64_t>(archive_entry_size(header)) > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
  }
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      return absl::DataLossError(
          absl::StrCat(path, ": cannot read archive member: ", archive_error_string(a)));
    }
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
    }
  }
  return data;
}

void WalkArchive(const Group& group, const WalkOptions& options,
                 const std::function<bool(InputItem)>& sink, bool* stop) {
  const size_t n = group.entries.size();
  const auto wanted = [&](size_t i) {
    return !options.wanted || options.wanted(group.entries[i].path);
  };
  std::vector<bool> visited(n, false), emitted(n, false);
  std::map<size_t, std::string> held_signature;            // read before their content
  std::map<size_t, absl::StatusOr<std::string>> contents;  // read before their signature
  const auto emit = [&](size_t i, InputItem item) {
    emitted[i] = true;
    if (!*stop && !sink(std::move(item))) *stop = true;
  };
  const auto emit_signature = [&](size_t i, std::string bytes) {
    const Entry& e = group.entries[i];
    InputItem item = Classify(e, std::move(bytes));
    auto c = contents.find(e.partner);
    if (c != contents.end() && c->second.ok()) {
      item.content = *c->second;
      item.content_name = fs::path(group.entries[e.partner].source).filename().string();
    }
    emit(i, std::move(item));
  };
  // Members are matched to the listing by name, in order (an archive may repeat a name).
  std::map<std::string, std::vector<size_t>> by_name;
  for (size_t i = n; i-- > 0;) {
    if (group.entries[i].listing_error.empty()) by_name[group.entries[i].source].push_back(i);
  }
  std::string fatal;
  ArchiveReadPtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (!a || archive_read_open_filename(a.get(), group.archive.c_str(), 1 << 16) != ARCHIVE_OK) {
    fatal = a ? archive_error_string(a.get()) : "out of memory";
  }
  struct archive_entry* header = nullptr;  // borrowed from `a`
  while (fatal.empty() && !*stop) {
    const int r = archive_read_next_header(a.get(), &header);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL) {
      fatal = archive_error_string(a.get());
      break;
    }
    if (archive_entry_filetype(header) != AE_IFREG) continue;
    const char* name = archive_entry_pathname(header);
    auto slot = by_name.find(name != nullptr ? name : "");
    if (slot == by_name.end() || slot->second.empty()) continue;
    const size_t i = slot->second.back();
    slot->second.pop_back();
    visited[i] = true;
    const Entry& e = group.entries[i];
    const bool needed = wanted(i) || (e.role == Entry::Role::kContent && wanted(e.partner));
    if (!needed) continue;
    absl::StatusOr<std::string> bytes = ReadMember(a.get(), header, e.path, options.max_bytes);
    if (e.role == Entry::Role::kContent) {
      if (wanted(i)) {
        if (bytes.ok()) {
          InputItem item;
          item.kind = InputItem::Kind::kSkipped;
          item.path = e.path;
          item.bytes = *bytes;
          item.skip_reason = ContentReason(group.entries[e.partner].path);
          emit(i, std::move(item));
        } else {
          emit(i, ErrorItem(e.path, bytes.status()));
        }
      }
      if (!wanted(e.partner)) continue;
      contents.emplace(i, std::move(bytes));
      auto held = held_signature.find(e.partner);
      if (held != held_signature.end()) {
        emit_signature(e.partner, std::move(held->second));
        held_signature.erase(held);
        contents.erase(i);
      }
      continue;
    }
    if (!bytes.ok()) {
      emit(i, ErrorItem(e.path, bytes.status()));
      continue;
    }
    if (e.role == Entry::Role::kSignature && !visited[e.partner]) {
      held_signature.emplace(i, *std::move(bytes));
      continue;
    }
    emit_signature(i, *std::move(bytes));
    if (e.role == Entry::Role::kSignature) contents.erase(e.partner);
  }
  if (*stop) return;
  // Signatures whose content never came (unreadable after them): verified without it.
  for (auto& [i, bytes] : held_signature) emit_signature(i, std::move(bytes));
  // Every listed member not handed out yet is accounted for as an error.
  for (size_t i = 0; i < n; ++i) {
    if (emitted[i] || !wanted(i)) continue;
    const Entry& e = group.entries[i];
    if (!e.listing_error.empty()) {
      emit(i, ErrorItem(e.path, absl::DataLossError(e.listing_error)));
    } else if (!visited[i]) {
      emit(i, ErrorItem(e.path, absl::DataLossError(absl::StrCat(
                                    group.archive, ": archive unreadable before this member",
                                    fatal.empty() ? "" : ": ", fatal))));
    }
  }
}

}  // namespace

bool HasSignatureExtension(absl::string_view name) {
  const std::string n = Lower(name);
  for (const char* ext : {".p7s", ".p7m", ".p7b", ".pkcs7", ".cms", ".sig", ".xml"}) {
    if (absl::EndsWith(n, ext)) return true;
  }
  return false;
}

bool LooksLikeSignature(absl::string_view bytes) {
  // DER ContentInfo: SEQUENCE, then within a few bytes OBJECT IDENTIFIER id-signedData
  // (1.2.840.113549.1.7.2, RFC 5652 section 5.1).
  static constexpr absl::string_view kSignedDataOid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02",
                                                    11);
  if (!bytes.empty() && bytes[0] == 0x30 &&
      bytes.substr(0, 32).find(kSignedDataOid) != absl::string_view::npos) {
    return true;
  }
  // PEM: the armour line at the start of a line (text that merely mentions it does not count).
  const absl::string_view head = bytes.substr(0, 1 << 16);
  for (absl::string_view armour : {"-----BEGIN PKCS7-----", "-----BEGIN CMS-----"}) {
    if (absl::StartsWith(head, armour) || absl::StrContains(head, absl::StrCat("\n", armour))) {
      return true;
    }
  }
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(head);
  return absl::StartsWith(trimmed, "<") &&
         absl::StrContains(head, "http://www.w3.org/2000/09/xmldsig#");
}

absl::StatusOr<InputWalker> InputWalker::List(const std::vector<std::string>& inputs) {
  InputWalker walker;
  for (const std::string& input : inputs) {
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      return absl::NotFoundError(absl::StrCat("--input ", input, ": no such file or folder"));
    }
    if (fs::is_directory(status)) {
      const absl::Status listed = ListFolder(input, &walker.groups_);
      if (!listed.ok()) return listed;
    } else if (IsArchiveName(input)) {
      absl::StatusOr<Group> g = ListArchive(input);
      if (!g.ok()) return g.status();
      walker.groups_.push_back(*std::move(g));
    } else if (IsManifestName(input)) {
      absl::StatusOr<Group> g = ListManifest(input);
      if (!g.ok()) return g.status();
      walker.groups_.push_back(*std::move(g));
    } else {
      Group g;
      g.entries.push_back(FileEntry(input));
      walker.groups_.push_back(std::move(g));
    }
  }
  return walker;
}

size_t InputWalker::total() const {
  size_t n = 0;
  for (const Group& g : groups_) n += g.entries.size();
  return n;
}

size_t InputWalker::Count(const std::function<bool(absl::string_view path)>& wanted) const {
  size_t n = 0;
  for (const Group& g : groups_) {
    for (const Entry& e : g.entries) n += !wanted || wanted(e.path) ? 1 : 0;
  }
  return n;
}

void InputWalker::Walk(const WalkOptions& options,
                       const std::function<bool(InputItem)>& sink) const {
  bool stop = false;
  for (const Group& g : groups_) {
    if (stop) return;
    if (g.kind == Group::Kind::kArchive) {
      WalkArchive(g, options, sink, &stop);
    } else {
      WalkFiles(g, options, sink, &stop);
    }
  }
}

}  // namespace kyso::batch
