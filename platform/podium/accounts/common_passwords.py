"""A small list of the passwords people choose most, refused for new passwords.

Taken from the top of the published breach-frequency lists, kept to those of
eight characters or more (shorter ones fail the length rule anyway).  A
password is also refused when it is one of these followed by digits or
punctuation (``password2024!``), see :func:`podium.accounts.passwords.weakness`.
"""

COMMON_PASSWORDS = frozenset("""
password passw0rd p@ssw0rd p@ssword passwort motdepasse contraseña wachtwoord
password1 password12 password123 password1234 password12345 password123456
12345678 123456789 1234567890 12345678910 123456789012 1234567890123 0123456789
87654321 987654321 9876543210 11111111 111111111 1111111111 00000000 000000000
88888888 99999999 12341234 123123123 123321123 11223344 12344321 147258369
159753123 741852963 963852741 qwertyui qwertyuiop qwertyuiop123 qwerty123
qwerty1234 qwerty12345 qwertz123 azertyuiop 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y
1qaz2wsx 1qaz2wsx3edc zaq12wsx zaq1zaq1 qazwsxedc qazwsxedcrfv asdfghjkl
asdfghjkl123 zxcvbnm123 zxcvbnmasdf iloveyou iloveyou1 iloveyou123 sunshine
princess football football1 baseball basketball superman batman123 starwars
trustno1 welcome1 welcome123 welcometo letmein123 letmein1 changeme changeme123
changeit administrator admin123 admin1234 admin12345 adminadmin rootroot
root1234 toortoor default1 defaultpassword secret123 secretpassword
whatever whatever1 computer internet monkey123 dragon123 master123 michael1
jennifer jordan23 charlie1 liverpool arsenal1 chelsea1 manchester barcelona
mercedes ferrari1 corvette mustang1 harley123 pokemon1 minecraft fortnite
pussycat chocolate butterfly sweetheart cookie123 blink182 abcd1234 abc12345
abcdefgh abcdefghij abcdefghijkl abcdefghijklm aaaaaaaa aaaaaaaaaaaa asdf1234
asdfasdf qweqweqwe qweasdzxc q1w2e3r4 q1w2e3r4t5 a1b2c3d4 a1b2c3d4e5
loveyou1 lovelove 123qweasd 123qweasdzxc 1234qwer 1234abcd passpass
password! password1! password@123 p@$$w0rd pa$$word pa55word pa55w0rd
letmeinnow opensesame hello123 hello1234 helloworld hellohello goodluck
summer2020 summer2021 summer2022 summer2023 summer2024 summer2025 winter2024
spring2024 autumn2024 january1 december1 monday123 podium podiumpodium
podiumadmin podium123 podium1234 correcthorsebatterystaple
""".split())
