// The virtual platform on the RTL: the C driver of the SystemC platform (testbench/tlm/
// vp_driver.c, compiled as C99, registers only through the generated dnngen_regs.h) runs
// unchanged against the engine's shell (dnn_shell_systolic, dnn_shell_eie or dnn_shell_rs:
// whichever this testbench was verilated from), on the same program
// (testbench/tlm/vp_network.hpp). Its bus callbacks are AXI4-Lite accesses through the
// shell bench; wait_irq clocks the DUT until irq_o rises (with a watchdog). The AXI memory
// has the configuration's `memory:` timing (DNNGEN_VP_CONFIG names the preset; the RTL's -G
// parameters must be its shell parameters), so the RTL must match the TLM platform (tlm_vp)
// exactly:
//   * after each layer the whole memory equals the engine's golden layer model applied to a
//     host-side copy, byte for byte;
//   * every counter the driver reads back (dnngen_read_counter) equals the engine's cycle
//     model, as tlm_vp's do; the clock cycles from the START write (the edge that commits
//     it) to irq_o equal CYCLES_TOTAL + 1 (kIrqLag), as tlm_vp's time in periods;
//   * M = 0 (conv2d: IN_C = 0) ends with CYCLES_TOTAL 1, zero_size, STATUS.ERROR and the
//     error interrupt one cycle after START; the other errors (axi_read, axi_write; EIE:
//     KEEP_WEIGHTS naming another image) end with their codes (the RTL's cycles there are
//     not the TLM model's, which does not time a refused access); none touches memory; a
//     good layer runs afterwards and LAYERS_DONE counts the layers that finished.
// DNNGEN_SEED overrides the seed (default 1, tlm_vp's); failures print it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#if __has_include("Vdnn_shell_eie.h")
#include "Vdnn_shell_eie.h"
#include "shell_eie_tb_params.hpp"
using Top = Vdnn_shell_eie;
#elif __has_include("Vdnn_shell_rs.h")
#include "Vdnn_shell_rs.h"
#include "shell_rs_tb_params.hpp"
using Top = Vdnn_shell_rs;
#else
#include "Vdnn_shell_systolic.h"
#include "shell_tb_params.hpp"
using Top = Vdnn_shell_systolic;
#endif
#include "axi_memory.hpp"
#include "dnngen/config/config.hpp"
#include "dnngen/shell/regmap.hpp"
#include "dnngen/systolic/shell_layer_timing.hpp"
#include "dnngen_regs.h"
#include "shell_systolic_bench.hpp"
#include "vp_driver.h"
#include "vp_network.hpp"

namespace dnngen::shell {
namespace {

// Cycles from the committed START write to the layer's first cycle (systolic::kStartCycles,
// 1): the START pulse is registered, so the engine leaves idle, and CYCLES_TOTAL starts, one
// edge after the write. The TLM model waits the same, so on both platforms irq comes
// CYCLES_TOTAL + 1 cycles after START.
constexpr uint64_t kIrqLag = systolic::kStartCycles;
static_assert(kIrqLag == 1, "the RTL registers CTRL.START once");

uint64_t seed() {
  const char* s = std::getenv("DNNGEN_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 1;
}

// The host: the driver's bus over the bench's AXI4-Lite master, and what the test observes
// on the ports: the edge that takes a START write and the one after which irq_o is high.
class RtlPlatform {
 public:
  static constexpr uint64_t kWatchdog = 1'000'000;

  RtlPlatform(const testbench::AxiMemoryTiming& t, uint64_t seed) : bench_(t, seed, vp::kMemSize) {
    bench_.on_cycle([this] { watch_register_port(); });
  }

  ShellSystolicBench<Top, TB_DataBits>& bench() { return bench_; }

  dnngen_bus bus() {
    return dnngen_bus{
        this, [](void* ctx, uint32_t offset) { return static_cast<RtlPlatform*>(ctx)->read32(offset); },
        [](void* ctx, uint32_t offset, uint32_t value) {
          static_cast<RtlPlatform*>(ctx)->write32(offset, value);
        },
        [](void* ctx) { static_cast<RtlPlatform*>(ctx)->wait_irq(); }};
  }

  // The callbacks: a refused access is counted, not thrown (the driver is C).
  uint32_t read32(uint32_t offset) {
    const auto [data, resp] = bench_.lite().read(offset);
    if (resp != 0) ++bus_errors;
    return data;
  }
  void write32(uint32_t offset, uint32_t value) {
    if (bench_.lite().write(offset, value) != 0) ++bus_errors;
    if (offset == DNNGEN_IRQ_STATUS_OFFSET) last_irq_clear = value;
  }
  void wait_irq() {
    irq_timeout = false;
    for (uint64_t c = 0; !bench_.top().irq_o; ++c) {
      if (c == kWatchdog) {
        irq_timeout = true;
        return;
      }
      bench_.idle_cycle();
    }
    irq_cycle = bench_.cycle();
  }

  unsigned bus_errors = 0;
  bool irq_timeout = false;
  uint32_t last_irq_clear = 0;
  uint64_t start_cycle = 0, irq_cycle = 0;  // edges since reset: START committed, irq_o raised

 private:
  // A register write commits on the edge that raises BVALID (the register file takes AW
  // and W into buffers first): that edge is the START write's, as the TLM platform's START
  // is the moment its write transaction returns.
  void watch_register_port() {
    const Top& t = bench_.top();
    if (start_pending_ && t.s_axil_bvalid_o) start_cycle = bench_.cycle(), start_pending_ = false;
    if (t.s_axil_awvalid_i && t.s_axil_awready_o) aw_taken_ = true, aw_addr_ = t.s_axil_awaddr_i;
    if (t.s_axil_wvalid_i && t.s_axil_wready_o) w_taken_ = true, w_data_ = t.s_axil_wdata_i;
    if (aw_taken_ && w_taken_) {
      start_pending_ = aw_addr_ == DNNGEN_CTRL_OFFSET && (w_data_ & DNNGEN_CTRL_START_MASK);
      aw_taken_ = w_taken_ = false;
    }
  }

  ShellSystolicBench<Top, TB_DataBits> bench_;
  bool aw_taken_ = false, w_taken_ = false, start_pending_ = false;
  uint32_t aw_addr_ = 0, w_data_ = 0;
};

class ShellVp : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("DNNGEN_VP_CONFIG");
    ASSERT_NE(path, nullptr) << "DNNGEN_VP_CONFIG (the preset the RTL was built for) is not set";
    cfg_ = config::load_config(path);
    replay_ = fmt::format("DNNGEN_VP_CONFIG={} DNNGEN_SEED={} ctest -R (the shell_vp test); tlm_vp {} {}",
                          path, seed(), path, seed());
  }

  // One layer through the driver, checked as tlm_vp checks it; `golden` follows it.
  void run_and_check(RtlPlatform& vp, const vp::Layer& layer, std::vector<uint8_t>& golden) {
    SCOPED_TRACE(layer.label + " (replay: " + replay_ + ")");
    const uint32_t expect_code = layer.expect;
    const shell::Counters t = expect_code == DNNGEN_ERROR_NONE
                                  ? vp::expected_counters(cfg_, layer.desc, golden)
                                  : shell::Counters{};
    const dnngen_bus bus = vp.bus();
    const uint32_t code = vp::run(&bus, layer);
    ASSERT_FALSE(vp.irq_timeout) << "no interrupt within " << RtlPlatform::kWatchdog << " cycles";
    EXPECT_EQ(code, expect_code) << "ERROR_CODE";
    EXPECT_EQ(vp.bus_errors, 0u) << "register accesses refused";
    EXPECT_EQ(vp.last_irq_clear,
              expect_code == DNNGEN_ERROR_NONE ? DNNGEN_IRQ_STATUS_DONE_MASK : DNNGEN_IRQ_STATUS_ERROR_MASK)
        << "the interrupt causes the driver cleared";
    const uint64_t took = vp.irq_cycle - vp.start_cycle;
    const uint64_t cycles =
        dnngen_read_counter(&bus, DNNGEN_CYCLES_TOTAL_LO_OFFSET, DNNGEN_CYCLES_TOTAL_HI_OFFSET);
    if (expect_code == DNNGEN_ERROR_NONE) {
      EXPECT_EQ(cycles, t.cycles) << "CYCLES_TOTAL against the cycle model";
      const struct {
        const char* name;
        uint32_t lo, hi;
        uint64_t want;
      } counters[] = {
          {"CYCLES_COMPUTE", DNNGEN_CYCLES_COMPUTE_LO_OFFSET, DNNGEN_CYCLES_COMPUTE_HI_OFFSET, t.compute},
          {"CYCLES_MEM_WAIT", DNNGEN_CYCLES_MEM_WAIT_LO_OFFSET, DNNGEN_CYCLES_MEM_WAIT_HI_OFFSET, t.mem_wait},
          {"BYTES_READ", DNNGEN_BYTES_READ_LO_OFFSET, DNNGEN_BYTES_READ_HI_OFFSET, t.bytes_read},
          {"BYTES_WRITTEN", DNNGEN_BYTES_WRITTEN_LO_OFFSET, DNNGEN_BYTES_WRITTEN_HI_OFFSET, t.bytes_written}};
      for (const auto& c : counters) EXPECT_EQ(dnngen_read_counter(&bus, c.lo, c.hi), c.want) << c.name;
      // START to the interrupt: the cycle model + the registered START cycle, as on the TLM platform.
      EXPECT_EQ(took, t.cycles + kIrqLag) << "cycles from START to irq_o (cycle model + kIrqLag, as tlm_vp)";
      vp::expected_memory(cfg_, layer.desc, golden);
      std::printf("  %s: %s out %s: %llu cycles, START to irq %llu (tlm_vp: %llu)\n", layer.label.c_str(),
                  vp::sizes(layer.desc).c_str(), layer.desc.out_type.c_str(),
                  static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(took),
                  static_cast<unsigned long long>(t.cycles));
    } else {
      const uint32_t status = read32(vp, DNNGEN_STATUS_OFFSET);
      EXPECT_TRUE((status & DNNGEN_STATUS_ERROR_MASK) && !(status & DNNGEN_STATUS_BUSY_MASK))
          << "STATUS 0x" << std::hex << status << " (expected ERROR, not BUSY)";
      if (expect_code == DNNGEN_ERROR_ZERO_SIZE) {  // a descriptor error: the check cycle only
        EXPECT_EQ(cycles, 1u) << "CYCLES_TOTAL is not 1 (the check cycle)";
        EXPECT_EQ(took, 1u + kIrqLag) << "irq_o not one cycle (+ kIrqLag) after START (as tlm_vp)";
      }
      std::printf("  %s: ERROR_CODE %u after %llu cycles (CYCLES_TOTAL %llu)\n", layer.label.c_str(), code,
                  static_cast<unsigned long long>(took), static_cast<unsigned long long>(cycles));
    }
    const std::vector<uint8_t>& mem = vp.bench().memory();
    EXPECT_TRUE(mem == golden) << "the memory differs from the golden image" << first_difference(mem, golden);
    EXPECT_TRUE(vp.bench().axi().errors().empty()) << "AXI4: " << vp.bench().axi().errors().front();
    EXPECT_TRUE(vp.bench().lite().errors().empty()) << "AXI4-Lite: " << vp.bench().lite().errors().front();
  }

  static uint32_t read32(RtlPlatform& vp, uint32_t offset) { return vp.read32(offset); }

  static std::string first_difference(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want) {
    for (std::size_t i = 0; i < want.size(); ++i)
      if (got[i] != want[i])
        return fmt::format(" (first at 0x{:x}: 0x{:02x}, expected 0x{:02x})", i, got[i], want[i]);
    return "";
  }

  config::Config cfg_;
  std::string replay_;
};

// The RTL must be the configuration's shell, memory bus included.
#if __has_include("Vdnn_shell_eie.h")
bool built_for(const config::Config& cfg) {
  const eie::ShellParams p = eie_tb_params(), want = eie::shell_params(cfg);
  const config::EieConfig &a = p.eie, &b = want.eie;
  return cfg.engine == "eie" && a.pes == b.pes && a.fifo_depth == b.fifo_depth &&
         a.index_bits == b.index_bits && a.act_bits == b.act_bits && a.acc_bits == b.acc_bits &&
         a.frac_bits == b.frac_bits && a.max_rows == b.max_rows && a.max_cols == b.max_cols &&
         a.max_entries == b.max_entries && p.data_bits == want.data_bits && p.max_burst == want.max_burst &&
         p.outstanding == want.outstanding;
}
#elif __has_include("Vdnn_shell_rs.h")
bool built_for(const config::Config& cfg) {
  if (!vp::row_stationary(cfg)) return false;
  const rs::ShellParams p = rs_tb_params(), want = rs::shell_params(cfg);
  const config::RowStationaryConfig &a = p.rs, &b = want.rs;
  return a.rows == b.rows && a.cols == b.cols && a.input_bits == b.input_bits &&
         a.weight_bits == b.weight_bits && a.acc_bits == b.acc_bits && a.is_signed == b.is_signed &&
         a.overflow == b.overflow && a.max_filter_size == b.max_filter_size &&
         a.filter_spad == b.filter_spad && a.ifmap_spad == b.ifmap_spad && a.psum_spad == b.psum_spad &&
         a.ifmap_rows == b.ifmap_rows && a.filter_words == b.filter_words && p.data_bits == want.data_bits &&
         p.max_burst == want.max_burst && p.outstanding == want.outstanding;
}
#else
bool built_for(const config::Config& cfg) {
  if (cfg.engine != "systolic" && cfg.engine != "bitserial") return false;
  const systolic::ShellParams p = tb_params(), want = systolic::shell_params(cfg);
  return p.bitserial == want.bitserial && p.mode == want.mode && (!p.bitserial || p.lanes == want.lanes) &&
         p.dataflow == want.dataflow && p.rows == want.rows && p.cols == want.cols &&
         p.in_bits == want.in_bits && p.w_bits == want.w_bits && p.acc_bits == want.acc_bits &&
         p.is_signed == want.is_signed && p.saturate == want.saturate && p.max_m == want.max_m &&
         p.max_n == want.max_n && p.max_k == want.max_k && p.data_bits == want.data_bits &&
         p.max_burst == want.max_burst && p.outstanding == want.outstanding;
}
#endif

TEST_F(ShellVp, DriverRunsTheProgramLikeTheTlmPlatform) {
  ASSERT_TRUE(built_for(cfg_)) << cfg_.name
                               << ": the testbench's -G parameters are not the configuration's shell";

  testbench::AxiMemoryTiming t;
  t.latency = cfg_.memory.latency;
  t.bytes_per_cycle = cfg_.memory.bytes_per_cycle;
  t.max_burst = cfg_.memory.max_burst;
  t.outstanding = cfg_.memory.outstanding;
  RtlPlatform vp(t, seed());
  std::printf("shell_vp: %s (seed %llu), memory latency %u, %u bytes/cycle\n", cfg_.name.c_str(),
              static_cast<unsigned long long>(seed()), t.latency, cfg_.memory.bytes_per_cycle);
  const dnngen_bus bus = vp.bus();
  ASSERT_EQ(dnngen_present(&bus), 1) << "ID register: no dnngen shell";
  const uint32_t engine = vp.read32(DNNGEN_ENGINE_OFFSET);
  EXPECT_EQ((engine & DNNGEN_ENGINE_KIND_MASK) >> DNNGEN_ENGINE_KIND_SHIFT, vp::engine_kind(cfg_));
  EXPECT_EQ((engine & DNNGEN_ENGINE_VARIANT_MASK) >> DNNGEN_ENGINE_VARIANT_SHIFT, vp::engine_variant(cfg_));

  vp::init_memory(cfg_, vp.bench().memory(), seed());
  std::vector<uint8_t> golden = vp.bench().memory();
  uint32_t finished = 0;
  for (const vp::Layer& layer : vp::program(cfg_)) {
    run_and_check(vp, layer, golden);
    if (HasFatalFailure()) return;
    finished += layer.expect == DNNGEN_ERROR_NONE;
  }
  EXPECT_EQ(vp.read32(DNNGEN_LAYERS_DONE_OFFSET), finished) << "LAYERS_DONE";
}

}  // namespace
}  // namespace dnngen::shell
