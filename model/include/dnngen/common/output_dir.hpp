#pragma once
// Directories of generated files (`dnngen generate`'s RTL bundle, `dnngen sweep`'s
// report) written atomically: everything is assembled in a staging directory beside
// the destination and renamed into place, so the destination is either the complete
// new output or untouched. A destination that holds anything but a previous output of
// the same kind is refused.
#include <filesystem>
#include <string>
#include <vector>

namespace dnngen::output {

// How an output directory recognises itself: a JSON manifest file inside it whose
// "format" is `format` and whose "files" array lists every file it wrote (as strings
// or as objects with a "path"), relative to the directory.
struct DirKind {
  std::string manifest;     // e.g. "manifest.json"
  std::string format;       // e.g. "dnngen-rtl-bundle"
  std::string description;  // for messages, e.g. "dnngen bundle"
};

enum class Destination { kAbsent, kEmpty, kPrevious };

// The lock file that every look at and every replacement of the output directory `out`
// takes (flock(2)), so concurrent runs into one directory take turns: a file in
// $TMPDIR/dnngen-locks (made writable by every user, like /tmp) named after the hash of
// `out` with its symbolic links resolved, so nothing is left beside the output and every
// spelling of one directory shares the lock. The files stay: removing one would let a
// waiting run lock a file no longer there. Runs with different $TMPDIR do not exclude
// each other.
std::filesystem::path lock_path(const std::filesystem::path& out);

// `dir` made absolute and normalized, without a trailing separator. InputError if empty.
std::filesystem::path normalize(const std::string& dir);

// A new, empty directory $TMPDIR/`stem`-XXXXXX (mkdtemp(3)); InputError when it cannot be made.
std::filesystem::path temp_dir(const std::string& stem);

// That a file can be created in `dir` (or, if it does not exist yet, in its nearest
// existing ancestor): a probe file is made and removed. InputError "WHAT: cannot write
// into DIR: REASON" if not, so a command fails before its work, not after.
void check_can_create_in(const std::filesystem::path& dir, const std::string& what);

// What `out` holds now. Throws InputError ("refusing to overwrite OUT: ...") for a
// symbolic link, a file, a non-empty directory without our manifest, and a previous
// output to which files were added (user files must survive); and (check_can_create_in)
// when its parent cannot be written.
Destination classify(const std::filesystem::path& out, const DirKind& kind);

// A staging directory beside the destination. The constructor refuses early (as
// classify()) and creates missing parent directories; commit() classifies again and
// moves the staged files into place; without commit() (an exception), the staging
// directory and the parents it created are removed.
class StagedDir {
 public:
  StagedDir(const std::string& out_dir, DirKind kind);
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;
  ~StagedDir();

  const std::filesystem::path& path() const { return staged_; }      // write here
  const std::filesystem::path& destination() const { return out_; }  // normalized

  void commit();

 private:
  std::filesystem::path out_;
  DirKind kind_;
  std::filesystem::path staged_;
  std::vector<std::filesystem::path> cleanup_;  // parents first, staging last
  bool committed_ = false;
};

// Writes `text` to `path` (binary, truncating), creating its parent directories.
// InputError naming the path if it cannot.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// The output files of one command, committed together: add() only records each file's
// bytes; commit() writes every one into a temporary file beside its target (checked
// through fsync and close) and renames them into place only when all are written, so a
// failure (a full disk, a place that refuses files) leaves every target as it was and no
// temporary file behind. A symbolic link is followed (its target is replaced; the link
// stays a link); a device or FIFO such as /dev/null is written through, never replaced,
// after the temporary files and before the renames. A missing parent directory is an
// error, unless the file is added with make_parents: then it is created, and removed
// again when the commit fails. What is not guaranteed: a rename
// failing after others succeeded (renames within one directory fail only if the file
// system does), or the process dying between renames.
// InputError "WHAT PATH: cannot write: REASON" (`what` names the option, "--json").
class OutputSet {
 public:
  void add(const std::filesystem::path& path, std::string bytes, const std::string& what = "",
           bool make_parents = false);
  void commit();
  bool empty() const { return files_.empty(); }

 private:
  struct File {
    std::filesystem::path path;
    std::string bytes;
    std::string what;
    bool make_parents;
  };
  std::vector<File> files_;
};

// The file that writing `path` makes or replaces, absolute: a symbolic link's final target,
// followed link by link even when it does not exist yet (a dangling link), else `path`.
std::filesystem::path write_target(const std::filesystem::path& path);

// One file written as an OutputSet of one: all or nothing, through links and devices.
void replace_file(const std::filesystem::path& path, const std::string& bytes);

// The whole file; InputError naming the path if it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace dnngen::output
