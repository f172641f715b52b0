#include "dnngen/common/output_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "dnngen/common/error.hpp"

namespace dnngen::output {
namespace fs = std::filesystem;

namespace {

// A directory made with mkdtemp(3) from `prefix` + "XXXXXX".
fs::path make_temp_dir(const fs::path& prefix) {
  std::string pattern = prefix.string() + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw InputError(
        fmt::format("cannot create a temporary directory {}: {}", pattern, std::strerror(errno)));
  }
  return pattern;
}

// A new directory `prefix` + a unique suffix with the default permissions (mkdtemp's
// are 0700, which the renamed output would keep).
fs::path make_staging_dir(const fs::path& prefix) {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path candidate = fmt::format("{}{}-{:08x}", prefix.string(), ::getpid(), random());
    std::error_code ec;
    if (fs::create_directory(candidate, ec)) return candidate;
    if (ec) {
      throw InputError(fmt::format("cannot create directory {}: {}", candidate.string(), ec.message()));
    }
  }
  throw InputError("cannot create a staging directory beside " + prefix.parent_path().string());
}

// Files (relative paths) that a previous output's manifest lists, or false if the
// directory holds no manifest of this kind.
bool read_previous_manifest(const fs::path& dir, const DirKind& kind, std::set<std::string>& files) {
  const fs::path manifest = dir / kind.manifest;
  if (!fs::is_regular_file(manifest)) return false;
  std::ifstream in(manifest);
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("format", "") != kind.format) return false;
  const auto listed = doc.find("files");
  if (listed == doc.end() || !listed->is_array()) return false;
  for (const auto& f : *listed) {
    if (f.is_string()) files.insert(f.get<std::string>());
    if (f.is_object() && f.contains("path") && f["path"].is_string()) {
      files.insert(f["path"].get<std::string>());
    }
  }
  files.insert(kind.manifest);
  return true;
}

// The lock file opened read-only, made if missing. flock(2) needs no write access, so a
// lock file another user made works too; O_CREAT only when it is missing, as the kernel
// refuses O_CREAT on another user's file in a sticky directory (fs.protected_regular).
int open_lock_file(const fs::path& path) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) return fd;
    fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

// An exclusive flock(2) on `path` (created if missing) for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const fs::path& path) : fd_(open_lock_file(path)) {
    if (fd_ < 0)
      throw InputError(
          fmt::format("cannot create the lock file {}: {}", path.string(), std::strerror(errno)));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        ::close(fd_);
        throw InputError(fmt::format("cannot lock {}: {}", path.string(), std::strerror(err)));
      }
    }
  }
  ~FileLock() { ::close(fd_); }  // closing releases the lock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

fs::path temp_dir(const std::string& stem) { return make_temp_dir(fs::temp_directory_path() / (stem + "-")); }

fs::path lock_path(const fs::path& out) {
  const fs::path dir = fs::temp_directory_path() / "dnngen-locks";
  std::error_code ec;
  if (fs::create_directory(dir, ec)) {
    // Shared by every user, as /tmp is: anyone may add a file, only its owner remove it.
    fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit, ec);
  }
  // FNV-1a of the path with its symbolic links resolved: a short, stable file name, the same
  // for every spelling of one directory. Only the parent is resolved: `out` itself may be
  // renamed away by the run holding the lock while this resolves it, and a failed
  // resolution would fall back to this spelling's own lock.
  const std::string key = (fs::weakly_canonical(out.parent_path(), ec) / out.filename()).string();
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : ec ? out.string() : key) h = (h ^ c) * 1099511628211ull;
  return dir / fmt::format("{:016x}.lock", h);
}

fs::path normalize(const std::string& dir) {
  if (dir.empty()) throw InputError("no output directory given");
  fs::path out = fs::absolute(dir).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();  // "dir/" -> "dir"
  return out;
}

namespace {

Destination classify_locked(const fs::path& out, const DirKind& kind) {
  const fs::file_status st = fs::symlink_status(out);
  if (!fs::exists(st)) return Destination::kAbsent;
  if (fs::is_symlink(st)) {
    throw InputError(fmt::format("refusing to overwrite {}: it is a symbolic link", out.string()));
  }
  if (!fs::is_directory(st)) {
    throw InputError(fmt::format("refusing to overwrite {}: it exists and is not a directory", out.string()));
  }
  if (fs::is_empty(out)) return Destination::kEmpty;
  std::set<std::string> ours;
  if (!read_previous_manifest(out, kind, ours)) {
    throw InputError(fmt::format("refusing to overwrite {}: the directory is not empty and holds no {} ({})",
                                 out.string(), kind.description, kind.manifest));
  }
  // Replace a previous output only if nothing was added to it: user files must survive.
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.is_directory() && !entry.is_symlink()) continue;
    const std::string rel = fs::relative(entry.path(), out).generic_string();
    if (!entry.is_regular_file() || entry.is_symlink() || ours.count(rel) == 0) {
      throw InputError(
          fmt::format("refusing to overwrite {}: it holds a {} plus {}, which dnngen did not write",
                      out.string(), kind.description, rel));
    }
  }
  return Destination::kPrevious;
}

}  // namespace

void check_can_create_in(const fs::path& dir, const std::string& what) {
  fs::path at = fs::absolute(dir);
  std::error_code ec;
  while (!fs::exists(at, ec) && at.has_parent_path() && at != at.parent_path()) at = at.parent_path();
  std::random_device rd;
  const fs::path probe = at / fmt::format(".dnngen-probe-{}-{:08x}", ::getpid(), rd());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw InputError(fmt::format("{}: cannot write into {}: {}", what, at.string(), std::strerror(errno)));
  ::close(fd);
  ::unlink(probe.c_str());
}

// Another run may be replacing the directory at this moment: look only while holding its lock.
Destination classify(const fs::path& out, const DirKind& kind) {
  check_can_create_in(out.parent_path(), out.string());
  const FileLock lock(lock_path(out));
  return classify_locked(out, kind);
}

StagedDir::StagedDir(const std::string& out_dir, DirKind kind)
    : out_(normalize(out_dir)), kind_(std::move(kind)) {
  classify(out_, kind_);  // refuse before creating anything
  // Missing ancestors of the destination, created now and removed again on failure.
  std::vector<fs::path> missing;
  for (fs::path p = out_.parent_path(); !p.empty() && !fs::exists(p); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    std::error_code ec;
    fs::create_directory(*it, ec);
    if (ec) {
      throw InputError(fmt::format("cannot create directory {}: {}", it->string(), ec.message()));
    }
    cleanup_.push_back(*it);
  }
  staged_ = make_staging_dir(out_.parent_path() / ("." + out_.filename().string() + ".tmp-"));
  cleanup_.push_back(staged_);
}

StagedDir::~StagedDir() {
  if (committed_) return;
  // Deepest first: parents created for the output are removed after their content.
  for (auto it = cleanup_.rbegin(); it != cleanup_.rend(); ++it) {
    std::error_code ec;
    fs::remove_all(*it, ec);
  }
}

void StagedDir::commit() {
  // Commits into one destination take turns (lock_path), so concurrent runs each replace
  // the whole output in order instead of racing on the renames.
  const FileLock lock(lock_path(out_));
  // Classify again: the destination may have changed while the output was built.
  const Destination dest = classify_locked(out_, kind_);
  if (dest != Destination::kPrevious) {
    // rename(2) replaces an empty directory atomically.
    fs::rename(staged_, out_);
  } else {
    const fs::path old = make_temp_dir(out_.parent_path() / ("." + out_.filename().string() + ".old-"));
    fs::rename(out_, old);  // onto the empty directory just made
    std::error_code ec;
    fs::rename(staged_, out_, ec);
    if (ec) {
      fs::rename(old, out_);
      throw InputError(
          fmt::format("cannot move the new {} to {}: {}", kind_.description, out_.string(), ec.message()));
    }
    fs::remove_all(old, ec);
  }
  committed_ = true;
}

void write_text_file(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw InputError(fmt::format("cannot write {}", path.string()));
}

namespace {

// "WHAT PATH: cannot write: REASON".
[[noreturn]] void cannot_write(const fs::path& path, const std::string& what, int err) {
  throw InputError(fmt::format("{}{}: cannot write: {}", what.empty() ? "" : what + " ", path.string(),
                               std::strerror(err)));
}

// Writes every byte to `f` and flushes it to the device; false (errno set) on any error.
bool write_all(std::FILE* f, const std::string& bytes, bool sync) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) return false;
  if (std::fflush(f) != 0) return false;
  return !sync || ::fsync(::fileno(f)) == 0;
}

}  // namespace

fs::path write_target(const fs::path& path) {
  fs::path p = fs::absolute(path);
  std::error_code ec;
  // weakly_canonical() stops at a link to a missing file: follow links here (40 hops, as the
  // kernel), then resolve the directories on the way.
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) break;
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  const fs::path resolved = fs::weakly_canonical(p, ec);
  return ec ? p : resolved;
}

void OutputSet::add(const fs::path& path, std::string bytes, const std::string& what, bool make_parents) {
  files_.push_back({path, std::move(bytes), what, make_parents});
}

void OutputSet::commit() {
  struct Staged {
    const File* file;
    fs::path target;  // the file renamed over (a symbolic link's target); empty for a device
    fs::path tmp;
  };
  std::vector<Staged> staged;
  std::vector<fs::path> made_dirs;  // parents created here, outermost first
  size_t renamed = 0;
  try {
    for (const auto& f : files_) {
      std::error_code ec;
      const fs::file_status st = fs::status(f.path, ec);  // follows a symbolic link
      if (fs::is_directory(st)) cannot_write(f.path, f.what, EISDIR);
      if (fs::exists(st) && !fs::is_regular_file(st)) {  // a device or a FIFO: written through below
        staged.push_back({&f, {}, {}});
        continue;
      }
      const fs::path target = write_target(f.path);
      std::vector<fs::path> missing;
      for (fs::path p = target.parent_path(); f.make_parents && !fs::exists(p, ec) && p != p.parent_path();
           p = p.parent_path())
        missing.push_back(p);
      for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0777) == 0)
          made_dirs.push_back(*it);
        else if (errno != EEXIST)
          cannot_write(f.path, f.what, errno);
      }
      staged.push_back({&f, target, fmt::format("{}.tmp.{}.{}", target.string(), ::getpid(), staged.size())});
      std::FILE* out = std::fopen(staged.back().tmp.c_str(), "wb");
      if (out == nullptr) {
        const int err = errno;
        staged.back().tmp.clear();  // nothing to remove
        cannot_write(f.path, f.what, err);
      }
      const bool ok = write_all(out, f.bytes, true);
      const int err = errno;
      if (std::fclose(out) != 0 || !ok) cannot_write(f.path, f.what, ok ? errno : err);
    }
    for (const auto& s : staged) {
      if (!s.target.empty()) continue;
      std::FILE* out = std::fopen(s.file->path.c_str(), "wb");
      if (out == nullptr) cannot_write(s.file->path, s.file->what, errno);
      const bool ok = write_all(out, s.file->bytes, false);
      const int err = errno;
      if (std::fclose(out) != 0 || !ok) cannot_write(s.file->path, s.file->what, ok ? errno : err);
    }
    for (; renamed < staged.size(); ++renamed) {
      const Staged& s = staged[renamed];
      if (!s.target.empty() && std::rename(s.tmp.c_str(), s.target.c_str()) != 0)
        cannot_write(s.file->path, s.file->what, errno);
    }
  } catch (...) {
    for (size_t k = renamed; k < staged.size(); ++k)
      if (!staged[k].tmp.empty()) std::remove(staged[k].tmp.c_str());
    if (renamed == 0)  // nothing is in place: the directories made for it go again
      for (auto it = made_dirs.rbegin(); it != made_dirs.rend(); ++it) ::rmdir(it->c_str());
    throw;
  }
}

void replace_file(const fs::path& path, const std::string& bytes) {
  OutputSet one;
  one.add(path, bytes);
  one.commit();
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot read {}", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace dnngen::output
