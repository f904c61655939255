// What `kyso batch` reads: folders (recursively), zip and tar archives (streamed with libarchive,
// never unpacked to disk) and JSON Lines manifests, turned into one item per file.
//
//   KYSO_ASSIGN_OR_RETURN(InputWalker walker, InputWalker::List({"archive.zip", "dossiers/"}));
//   walker.Walk(options, [&](InputItem item) { ...; return true; });
//
// Two phases. List() reads names only (folder entries, archive headers, manifest lines), so the
// total is known before any content is read (for the progress bar) and detached pairs are found
// by name in the same folder or archive: `x.pdf` + `x.pdf.p7s`, `x` + `x.sig`. Walk() then reads
// each file in listing order (archives in their own order, in one streaming pass) and hands out
// one item per file:
//   - kDocument: a signature, with its paired content when it has one;
//   - kSkipped: not a signature (by name and content), or the content of a pair, with the reason;
//   - kError: could not be read (dangling link, read error, corrupted archive member, over the
//     size limit); everything after a fatal archive error is an error too, so no listed file is
//     ever dropped.
//
// Paths: files in folders keep the path they were found under; archive members are
// "ARCHIVE!/MEMBER"; manifest entries resolve against the manifest's folder.
//
// A manifest is a `.jsonl` file of lines {"path": "a.p7s", "content": "a.pdf"} ("content" only
// for detached signatures); its lines are the items (the content files get no line of their own).
//
// Thread-safety: a walker is used by one thread at a time.
#ifndef KYSO_SERVICE_BATCH_INPUT_WALKER_H_
#define KYSO_SERVICE_BATCH_INPUT_WALKER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyso::batch {

struct InputItem {
  enum class Kind { kDocument, kSkipped, kError };
  Kind kind = Kind::kDocument;
  std::string path;   // as written in the results
  std::string bytes;  // the file's bytes (kDocument, kSkipped)
  std::string skip_reason;
  absl::Status error;
  // Detached signatures: the signed content and its file name (XML references match by name).
  std::optional<std::string> content;
  std::string content_name;
};

struct WalkOptions {
  size_t max_bytes = size_t{64} << 20;  // a larger file is a kError item
  // Files for which this returns false are neither read nor handed out (a shard's filter). The
  // content of a wanted signature is still read.
  std::function<bool(absl::string_view path)> wanted;
};

// True for names that are signature containers whatever their bytes (.p7s, .p7m, .p7b, .pkcs7,
// .cms, .sig, .xml): a broken one is a FORMAT_FAILURE result, not a skipped file.
bool HasSignatureExtension(absl::string_view name);
// True when the bytes look like CMS (DER SignedData, or PEM PKCS7/CMS) or a signed XML document.
bool LooksLikeSignature(absl::string_view bytes);

class InputWalker final {
 public:
  // Lists the inputs. An input that does not exist, or an archive or manifest that cannot be
  // opened at all, is an error (a usage error of the run); problems with single files inside are
  // items.
  static absl::StatusOr<InputWalker> List(const std::vector<std::string>& inputs);

  // Files listed, over every input, and those of them `wanted` keeps (a shard's share).
  size_t total() const;
  size_t Count(const std::function<bool(absl::string_view path)>& wanted) const;

  // Reads and hands out every listed file wanted by `options`; stops early when `sink` returns
  // false.
  void Walk(const WalkOptions& options, const std::function<bool(InputItem)>& sink) const;

  struct Entry {
    std::string path;    // the result path
    std::string source;  // the file system path, or the archive member name
    // Pairing within the group: the index of the partner, and which side this entry is.
    enum class Role { kAlone, kSignature, kContent };
    Role role = Role::kAlone;
    size_t partner = 0;
    std::string listing_error;  // non-empty: this entry is an error item at once
    std::string skip_reason;    // non-empty: this entry is skipped without reading
  };
  struct Group {
    enum class Kind { kFiles, kArchive };
    Kind kind = Kind::kFiles;
    std::string archive;  // kArchive: the archive file
    std::vector<Entry> entries;
  };

 private:
  std::vector<Group> groups_;
};

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_INPUT_WALKER_H_
