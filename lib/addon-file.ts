/**
 * What can be told about an addon file before the dynamic loader maps it. glibc's dlopen maps
 * an ELF file's segments as its headers say: a truncated file (an interrupted copy or unpack, a
 * full disk) is mapped past its end and the process dies of SIGBUS instead of getting an error,
 * and a file built for another processor is reported as "No such file or directory". Both are
 * read here from the ELF header (System V ABI, "ELF Header" and "Program Header") so loading
 * fails with a reason a user can act on. Other formats are left to the loader, which explains
 * them itself (Windows refuses a bad PE with an error, never a crash).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** e_machine for each Node process.arch a prebuild exists for, or may be built for. */
const ELF_MACHINES: Readonly<Record<number, string>> = { 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64', 243: 'riscv64' };

const PT_LOAD = 1;

/** Why the ELF file at `file` cannot load in this process, or undefined when it may. */
export function elfLoadProblem(file: string, arch: string = process.arch): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number): Buffer => {
      const bytes = Buffer.alloc(length);
      return bytes.subarray(0, readSync(fd, bytes, 0, length, offset));
    };
    const header = read(0, 64);
    if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const wide = header[4] === 2;
    const little = header[5] === 1;
    const u16 = (b: Buffer, at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const word = (b: Buffer, at: number): number => {
      if (!wide) return little ? b.readUInt32LE(at) : b.readUInt32BE(at);
      return Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
    };
    const machine = u16(header, 18);
    const builtFor = ELF_MACHINES[machine] ?? `ELF machine ${machine}`;
    if (builtFor !== arch) return `it is built for ${builtFor}, and this process is ${arch}`;
    if (header.length < (wide ? 64 : 52)) return `it is truncated (${size} bytes, shorter than an ELF header)`;

    // Everything the headers place in the file must be inside it: the section header table
    // (at the end of what a linker writes) and each loadable segment (what dlopen maps).
    let needed = word(header, wide ? 0x28 : 0x20) + u16(header, wide ? 0x3c : 0x30) * u16(header, wide ? 0x3a : 0x2e);
    const phoff = word(header, wide ? 0x20 : 0x1c);
    const phentsize = u16(header, wide ? 0x36 : 0x2a);
    const phnum = u16(header, wide ? 0x38 : 0x2c);
    needed = Math.max(needed, phoff + phentsize * phnum);
    const table = read(phoff, phentsize * phnum);
    for (let i = 0; (i + 1) * phentsize <= table.length; i++) {
      const entry = table.subarray(i * phentsize);
      if ((little ? entry.readUInt32LE(0) : entry.readUInt32BE(0)) !== PT_LOAD) continue;
      // Elf64_Phdr: p_offset at 8, p_filesz at 32; Elf32_Phdr: p_offset at 4, p_filesz at 16.
      needed = Math.max(needed, word(entry, wide ? 8 : 4) + word(entry, wide ? 32 : 16));
    }
    if (size < needed) return `it is truncated (${size} bytes, its headers describe ${needed})`;
    return undefined;
  } finally {
    closeSync(fd);
  }
}
