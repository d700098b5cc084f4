package probe

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// Demo district residents the checks act as or on.
const (
	demoLearnerFirst17   = "11010519620315123" // 王秀兰, claimed, born 1962-03-15
	demoLearnerName      = "王秀兰"
	demoUnclaimedFirst17 = "11010519730930782" // 陈志强, opened by an institution
	demoUnclaimedName    = "陈志强"
)

// withCheckDigit completes 17 digits with the GB 11643-1999 check character.
func withCheckDigit(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// randomNationalID is a valid ID of someone born in 1990 whom the demo does
// not know.
func randomNationalID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(999))
	day, _ := rand.Int(rand.Reader, big.NewInt(28))
	return withCheckDigit(fmt.Sprintf("1101051990%02d%02d%03d", 1+int(n.Int64()%12), 1+day.Int64(), n.Int64()))
}

func randomSuffix() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	return fmt.Sprintf("%010x", n.Int64())
}
