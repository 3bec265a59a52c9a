/*
 * bcryptprimitives.dll for Wine 8.0, which lacks it: Go's Windows runtime
 * (1.22 and later) loads ProcessPrng from it at start-up. This one forwards
 * to BCryptGenRandom. scripts/cross.sh builds it with mingw-w64 into the
 * Wine prefix it makes; no binary is committed.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
	while (size > 0) {
		ULONG n = size > 0x40000000 ? 0x40000000 : (ULONG)size;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		size -= n;
	}
	return TRUE;
}
