package kernel

import (
	"syscall"
	"unsafe"
)

// hugeMin is the least size (bytes) of an array that hugeMake asks the system to back by huge
// pages.
const hugeMin = 4 << 20

// hugeMake returns make([]T, n, c), advised (madvise MADV_HUGEPAGE) to be backed by transparent
// huge pages when it holds at least hugeMin bytes. Where the system's transparent huge pages
// are "madvise" (Debian's default) this takes a page-table walk off most scattered accesses into
// a large column; where they are "always" or "never" the advice changes nothing. It is given
// only for arrays that are written everywhere soon after they are made (bench/NOTES.md §38i):
// a huge page is resident as a whole from its first write.
func hugeMake[T any](n, c int) []T {
	s := make([]T, n, c)
	var zero T
	if size := uintptr(c) * unsafe.Sizeof(zero); size >= hugeMin {
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), size)
		_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) // advice only: an error changes nothing
	}
	return s
}
